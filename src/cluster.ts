// `WORKERS=N` / `passport start --workers N`: a node:cluster primary that keeps N server processes
// (src/server.ts) on one port. Any request may land on any worker, so this is only offered where
// every piece of state is shared between processes: PostgreSQL. SQLite is refused: better-sqlite3
// gives each process its own connection, and Passport queues SQLite transactions inside one
// process only (src/db/transaction.ts), so two processes writing would hit SQLITE_BUSY.
import cluster, { type Worker } from "node:cluster";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, type Config } from "./config.js";
import { createContainer } from "./container.js";
import { createLogger } from "./logger.js";

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.ts");
/** A worker that dies before it listens is a start failure (bad configuration, database down): stop, do not loop. */
const STOP_GRACE_MS = 10_000;

export async function runCluster(cfg: Config): Promise<void> {
  const log = createLogger(cfg.logLevel, undefined, { primary: process.pid });
  if (cfg.database.type !== "postgres") {
    throw new ConfigError(
      `invalid configuration:\n  WORKERS: ${cfg.workers} server processes need PostgreSQL (DATABASE_URL); on SQLite run one process (WORKERS=1)`,
    );
  }
  await prepare(cfg);
  // Workers run src/main.ts through tsx, whether the primary came from `npm start` or the CLI.
  const execArgv = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", "tsx"];
  cluster.setupPrimary({ exec: MAIN, execArgv, args: [] });

  const listening = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  const fork = () => cluster.fork();
  cluster.on("listening", (w) => listening.add(w));
  cluster.on("exit", (w, code, signal) => {
    const started = listening.delete(w);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (!started) {
      log.error("a worker failed to start; stopping", { pid: w.process.pid, code, signal });
      stopAll(1);
      return;
    }
    // A crash (or kill -9) of one process: the others keep serving, and a new one takes its place.
    log.warn("worker exited; starting another", { pid: w.process.pid, code, signal });
    fork();
  });
  const stopAll = (code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) w.process.kill("SIGTERM"); // each worker drains its connections (src/server.ts)
    setTimeout(() => process.exit(exitCode), STOP_GRACE_MS).unref();
  };
  process.on("SIGTERM", () => stopAll());
  process.on("SIGINT", () => stopAll());
  for (let i = 0; i < cfg.workers; i++) fork();
  log.info("passport cluster started", { workers: cfg.workers, port: cfg.port });
}

/**
 * Once, before any worker starts: migrations, the key file and sealed secrets, the first signing
 * keys. Workers starting together would otherwise race to create them.
 */
async function prepare(cfg: Config): Promise<void> {
  const c = await createContainer(cfg);
  try {
    await c.keys.ensureSigningKeys();
  } finally {
    await c.close();
  }
}
