// One server process per SQLite database. Passport's SQLite transactions take turns inside one
// process (transaction.ts), not across processes, so a second server on the same file would hit
// SQLITE_BUSY under load. The server holds an exclusive SQLite lock on a small file beside the
// database for as long as it lives; the operating system releases it when the process ends, even
// by kill -9, so there is nothing stale to clean up. CLI commands do not take it: they run beside
// the server, one short transaction at a time.
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../config.js";
import { ensurePrivateDir } from "./private-files.js";

const held: Database.Database[] = [];

/** Claims `file` for this server process, or refuses to start if another server holds it. */
export function claimSqliteDatabase(file: string): void {
  ensurePrivateDir(path.dirname(file));
  const lock = new Database(`${file}.server-lock`, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE"); // never committed: the lock lasts as long as the process
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code !== "SQLITE_BUSY") throw e;
    throw new ConfigError(
      `another Passport server is running on ${file}: SQLite is served by one process (use PostgreSQL, DATABASE_URL, for several)`,
    );
  }
  held.push(lock);
}
