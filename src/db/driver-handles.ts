// The driver connections underneath a TypeORM DataSource, for the few places that talk to the
// driver directly: prepared statements (prepared.ts), the SQLite change feed and checkpoints.
import type { DataSource } from "typeorm";
import type { Database } from "better-sqlite3";
import type { Pool } from "pg";

type Driver = { databaseConnection?: Database; master?: Pool };

/** The SQLite connection under a DataSource, or undefined on PostgreSQL (or before it is initialized). */
export function sqliteConnection(ds: DataSource): Database | undefined {
  return ds.options.type === "better-sqlite3" ? (ds.driver as unknown as Driver).databaseConnection : undefined;
}

/** The pg pool under a DataSource, or undefined on SQLite (or before it is initialized). */
export function pgPool(ds: DataSource): Pool | undefined {
  return ds.options.type === "postgres" ? (ds.driver as unknown as Driver).master : undefined;
}
