// Runs one CLI command against the same configuration and database as the server: the same .env
// file (loadEnvFile) and environment (DATA_DIR, DATABASE_URL, ...), the same services
// (createContainer). It refuses a database that does not exist yet rather than create a second
// instance. The database is closed after every command, whatever happened.
import type { Command } from "commander";
import { type Config, ConfigError, loadConfig, loadEnvFile } from "../config.js";
import { type Container, createContainer } from "../container.js";
import { databaseExists } from "../db/data-source.js";
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
    const envFile = loadEnvFile();
    const cfg = loadConfig();
    if (!cmd.optsWithGlobals().newDatabase && !(await databaseExists(cfg.database))) throw new ConfigError(noDatabase(cfg, envFile));
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

/**
 * The server creates its database at its first start. A CLI that did so quietly (run from another
 * folder, or without the server's .env) would make a second, empty instance nobody serves.
 */
function noDatabase(cfg: Config, envFile: string | null): string {
  const where = cfg.database.type === "sqlite" ? `${cfg.database.file} (DATA_DIR)` : `schema "${cfg.database.schema}" of DATABASE_URL`;
  const from = envFile ? `the environment and ${envFile}` : "the environment (no .env file here)";
  return `no Passport database at ${where}, as configured by ${from}. Run the CLI with the server's configuration (from the server's folder, or with ENV_FILE, DATA_DIR or DATABASE_URL), or start the server once so it creates its database; --new-database creates one here instead.`;
}
