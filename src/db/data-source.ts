// Builds the TypeORM DataSource for SQLite (embedded default) or PostgreSQL (DATABASE_URL).
// Migrations always run at start; `synchronize` is never used.
import fs from "node:fs";
import path from "node:path";
import { DataSource } from "typeorm";
import type { Config } from "../config.js";
import { migrations } from "../../migrations/index.js";
import { entitiesFor } from "./entities.js";
import { ensurePrivateDir, ensurePrivateFile, tighten } from "./private-files.js";
import { sqliteChanges } from "./sqlite-changes.js";
import { takeTurns } from "./sqlite-turns.js";

export function createDataSource(db: Config["database"]): DataSource {
  if (db.type === "postgres") {
    return new DataSource({
      type: "postgres",
      url: db.url,
      schema: db.schema,
      entities: entitiesFor("postgres"),
      migrations,
      logging: false,
      extra: { options: `-c search_path=${db.schema}`, max: 10 },
    });
  }
  // The folder 0700 and the file 0600 before SQLite opens it: SQLite gives the -wal and -shm files
  // it creates later the mode of the database file. Files from older installs are tightened too.
  ensurePrivateDir(path.dirname(db.file));
  ensurePrivateFile(db.file);
  for (const extra of ["-wal", "-shm", "-journal", ".changes", ".changes-seen"]) tighten(`${db.file}${extra}`, 0o600);
  const ds = new DataSource({
    type: "better-sqlite3",
    database: db.file,
    entities: entitiesFor("sqlite"),
    migrations,
    logging: false,
    // WAL lets readers run while a writer commits; busy_timeout makes a second process wait
    // rather than fail with SQLITE_BUSY.
    prepareDatabase: (conn: { pragma(s: string): unknown }) => {
      conn.pragma("journal_mode = WAL");
      conn.pragma("synchronous = NORMAL");
      conn.pragma("busy_timeout = 5000");
      conn.pragma("foreign_keys = ON");
      // Zero what an update or delete frees inside a page (at no extra I/O), so an old value, such
      // as a secret sealed at start after an older version stored it plain, does not linger in the file.
      conn.pragma("secure_delete = FAST");
    },
  });
  // One connection shared by every request: transactions and the writes outside them take turns.
  takeTurns(ds);
  return ds;
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(db: Config["database"]): Promise<DataSource> {
  const ds = createDataSource(db);
  await ds.initialize();
  if (db.type === "postgres") await ds.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
  await ds.runMigrations({ transaction: "each" });
  // SQLite: from here on every write through this connection is reported (sqlite-changes.ts).
  sqliteChanges(ds);
  return ds;
}

/**
 * Has Passport ever opened this database (its migrations table exists)? Asked without creating
 * anything: opening a missing SQLite file would make it, so a missing or empty file is "no".
 */
export async function databaseExists(db: Config["database"]): Promise<boolean> {
  if (db.type === "sqlite") return fs.existsSync(db.file) && fs.statSync(db.file).size > 0;
  const ds = new DataSource({ type: "postgres", url: db.url, logging: false, extra: { max: 1 } });
  await ds.initialize();
  try {
    const rows = (await ds.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'migrations'", [db.schema])) as unknown[];
    return rows.length > 0;
  } finally {
    await ds.destroy();
  }
}
