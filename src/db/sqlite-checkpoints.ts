// WAL checkpoints off the serving thread. In WAL mode a commit only appends to `<db>-wal`; now and
// then a checkpoint copies those pages into the database file and fsyncs it. SQLite does that
// inside whichever commit crosses `wal_autocheckpoint` pages, so on the serving connection one
// token request in a few hundred waited for a copy and two fsyncs, and the event loop with it:
// measured with this table's statements, that was half of what an insert cost (docs/decisions.md,
// Performance).
//
// The serving process instead runs PASSIVE checkpoints from a worker thread with its own
// connection, a few times a second. PASSIVE takes no lock a writer needs, so commits go on while
// it copies. A writer restarts the WAL from its beginning when it finds all of it copied: between
// bursts of writes that is soon. Under writes that never pause, new frames always arrive while the
// worker copies, so the WAL grows to the serving connection's own, higher threshold; there SQLite
// checkpoints inline as before, but finds almost everything copied already and only syncs. The
// same threshold bounds the WAL should the worker fail.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Database } from "better-sqlite3";
import type { DataSource } from "typeorm";
import { sqliteConnection } from "./driver-handles.js";

/** Pages the serving connection lets the WAL grow to before it checkpoints itself (SQLite's default is 1000). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** How often the worker checkpoints, in ms; sooner again when a checkpoint could not copy everything. */
const INTERVAL_MS = 200;
const RETRY_MS = 20;

// Plain CommonJS evaluated in the worker, so it runs the same under tsx, the tests and bin/passport.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
} catch (e) {
  throw new Error(String(e.message)); // a plain Error: the driver's own does not cross to the parent intact
}
let timer;
let lastWarning;
const checkpoint = () => {
  let again = false;
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    again = r.busy !== 0 || r.checkpointed < r.log;
    lastWarning = undefined;
  } catch (e) {
    // Once per failure, not every 200 ms; the serving connection's own threshold bounds the WAL meanwhile.
    if (e.message !== lastWarning) parentPort.postMessage({ warning: e.message });
    lastWarning = e.message;
  }
  timer = setTimeout(checkpoint, again ? workerData.retryMs : workerData.intervalMs);
};
parentPort.on("message", () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
checkpoint();
`;

export interface BackgroundCheckpoints {
  /** Stops the worker and closes its connection; the serving connection checkpoints itself again. */
  stop(): Promise<void>;
}

/** Checkpoints a SQLite DataSource's database from a worker thread from now on; undefined on PostgreSQL. */
export function sqliteCheckpoints(ds: DataSource): BackgroundCheckpoints | undefined {
  const db = sqliteConnection(ds);
  return db && startBackgroundCheckpoints(db, String(ds.options.database));
}

/** Checkpoints `file`, the database `db` is connected to, from a worker thread. */
export function startBackgroundCheckpoints(db: Database, file: string): BackgroundCheckpoints {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), file, intervalMs: INTERVAL_MS, retryMs: RETRY_MS },
  });
  worker.unref(); // never what keeps a process alive
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const inline = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (m: { warning?: string }) => {
    if (m.warning) process.emitWarning(`background WAL checkpoint of ${file}: ${m.warning}`);
  });
  worker.on("error", (e) => {
    process.emitWarning(`background WAL checkpoints of ${file} stopped (${String(e?.message ?? e)}); the server checkpoints inline instead`);
    inline();
  });
  return {
    stop: async () => {
      worker.ref(); // waited for, so it must keep the process alive until it has closed its connection
      worker.postMessage("stop");
      await exited;
      inline();
    },
  };
}
