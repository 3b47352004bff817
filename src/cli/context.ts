// Runs one CLI command against the same configuration and database as the server: loadConfig()
// reads the same environment (DATA_DIR, DATABASE_URL, ...), createContainer() builds the same
// services. The database is closed after every command, whatever happened.
import type { Command } from "commander";
import { type Config, loadConfig } from "../config.js";
import { type Container, createContainer } from "../container.js";
import { createOutput, type Output } from "./output.js";

export interface Cli {
  cfg: Config;
  c: Container;
  out: Output;
}

/** Adds --json to a command (every leaf command has it). */
export function withJson(cmd: Command): Command {
  return cmd.option("--json", "print machine-readable JSON");
}

/**
 * Wraps a command's handler for commander, which passes (arguments..., options, command): opens
 * the container, runs, closes. Errors propagate to index.ts, which prints them as one line.
 */
export function handler<A extends unknown[]>(run: (cli: Cli, ...args: A) => Promise<void>, setup?: (c: Container) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const cfg = loadConfig();
    // Beside a running server: its uploads in progress are not the CLI's to clear.
    const c = await createContainer(cfg, undefined, { clearTemporaryBlobs: false });
    try {
      if (setup) await setup(c);
      await run({ cfg, c, out: createOutput(Boolean(cmd.opts().json)) }, ...(args as A));
    } finally {
      await c.close();
    }
  };
}
