// Starts Passport: one server process (src/server.ts), or with WORKERS > 1 a node:cluster primary
// that prepares the database once and keeps that many server processes running (src/cluster.ts).
import cluster from "node:cluster";
import { pathToFileURL } from "node:url";
import { loadConfig, loadEnvFile, ConfigError } from "./config.js";
import { runCluster } from "./cluster.js";
import { runServer } from "./server.js";

export async function main(): Promise<void> {
  // Whatever the server writes (database, key file, blobs, outbox) is for its own user only; the
  // modules that create files also set their modes, this catches anything else.
  process.umask(0o077);
  const envFile = loadEnvFile();
  const cfg = loadConfig();
  if (cluster.isPrimary && cfg.workers > 1) await runCluster(cfg);
  else await runServer(cfg, envFile);
}

/** Runs main() and turns a start failure into one line on stderr and exit code 1. */
export function start(): void {
  main().catch((err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `passport failed to start: ${(err as Error).message}`}\n`);
    process.exit(1);
  });
}

// `node src/main.ts` (npm start) and every cluster worker run this file directly.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) start();
