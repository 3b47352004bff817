// SQLite files for `passport backup` / `passport restore`, through better-sqlite3 directly (no
// TypeORM, no migrations: a backup must not change what it copies). The online backup API reads a
// consistent snapshot page by page while the server keeps writing in WAL mode.
import fs from "node:fs";
import Database from "better-sqlite3";

/** Copies the live database at `file` into `dest` (a new file), consistent as of one moment. */
export async function backupSqlite(file: string, dest: string): Promise<void> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    await db.backup(dest);
  } finally {
    db.close();
  }
  fs.chmodSync(dest, 0o600);
}

/** The blob hashes the database at `file` refers to (files, attached or not). */
export function referencedBlobs(file: string): Set<string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT DISTINCT blob_hash AS h FROM vault_files").all() as { h: string }[];
    return new Set(rows.map((r) => r.h));
  } finally {
    db.close();
  }
}

/** The newest migration applied to the database at `file`, to tell which version made it. */
export function lastMigration(file: string): string | null {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT name FROM migrations ORDER BY timestamp DESC LIMIT 1").get() as { name: string } | undefined;
    return row?.name ?? null;
  } finally {
    db.close();
  }
}
