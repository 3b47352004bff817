// `passport start [--workers N]`: runs the server from the CLI, as `npm start` does after its build
// step; --workers sets WORKERS (node:cluster, PostgreSQL only: see src/cluster.ts).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const BUILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "build-web.mjs");

function workerCount(v: string): string {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 64) throw new InvalidArgumentError("a whole number from 1 to 64");
  return v;
}

export function startCommand(program: Command): void {
  program
    .command("start")
    .description("run the server (one process, or --workers N processes on one port; several need PostgreSQL)")
    .option("--workers <n>", "server processes (default: WORKERS, else 1)", workerCount)
    .option("--no-build", "skip bundling the browser scripts (already built)")
    .action(async (opts: { workers?: string; build: boolean }) => {
      if (opts.workers) process.env.WORKERS = opts.workers;
      // As `npm start` does: the browser bundles in public/js are built from src/web.
      if (opts.build) await import(pathToFileURL(BUILD).href);
      // Loaded here, not at the top: the other commands need none of the server.
      const { main } = await import("../main.js");
      await main();
      // The server runs until a signal; it exits by itself (src/server.ts, src/cluster.ts).
      await new Promise(() => undefined);
    });
}
