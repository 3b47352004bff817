// Fixed SQL statements on the hot path (every token, introspection and userinfo request), run on
// the driver underneath TypeORM: a better-sqlite3 statement prepared once per text, or a named pg
// query that each pooled connection prepares on first use. `ds.query` gives the same result but
// builds a query runner, a logger call, two subscriber broadcasts and a result object around every
// statement; on SQLite that wrapping cost more than the statement itself (see docs/decisions.md,
// Performance). TypeORM stays for everything else, for transactions and for migrations.
//
// Only fixed texts written by the stores belong here (never text built from input): statements are
// kept for the life of the process, one per text. Parameters are strings, numbers or null.
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { Database, Statement } from "better-sqlite3";
import type { Pool } from "pg";
import { pgPool, sqliteConnection } from "./driver-handles.js";

export type SqlValue = string | number | null;
/** A parameter: a value, or on PostgreSQL also an array of values (e.g. for unnest). */
export type SqlParam = SqlValue | SqlValue[];
/** One statement of a batch of writes (runAll). */
export interface Write {
  sql: string;
  values: SqlValue[];
}

export interface PreparedSql {
  /** Rows of a SELECT. */
  rows<T = Record<string, unknown>>(sql: string, params: SqlParam[]): Promise<T[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(sql: string, params: SqlParam[]): Promise<number>;
  /**
   * Rows of a statement written with PostgreSQL's `$n` placeholders (rewritten for SQLite, which
   * takes `?` in order) that may or may not return any (an UPDATE with or without RETURNING).
   */
  query(sql: string, params: SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Runs writes in order, all in one transaction (one commit for them all); resolves to the rows each changed. */
  runAll(writes: Write[]): Promise<number[]>;
}

const rewritten = new Map<string, { text: string; order: number[] }>();

/** A `$n` text as SQLite takes it: `?` in order, and which parameter each `?` is. */
function positional(sql: string): { text: string; order: number[] } {
  let found = rewritten.get(sql);
  if (!found) {
    const order: number[] = [];
    rewritten.set(sql, (found = { text: sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n)), "?")), order }));
  }
  return found;
}

function sqlite(db: Database): PreparedSql {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  };
  // Async like the pg side, so callers are the same for both; the work itself is synchronous.
  // better-sqlite3 turns a transaction inside another one (one TypeORM opened) into a savepoint.
  const all = db.transaction((writes: Write[]) => writes.map((w) => prepare(w.sql).run(...w.values).changes));
  return {
    rows: async <T>(sql: string, params: SqlParam[]) => prepare(sql).all(...(params as SqlValue[])) as T[],
    run: async (sql, params) => prepare(sql).run(...(params as SqlValue[])).changes,
    query: async (sql, params) => {
      const { text, order } = positional(sql);
      const stmt = prepare(text);
      const values = order.map((n) => params[n - 1] as SqlValue);
      if (stmt.reader) return stmt.all(...values) as Record<string, unknown>[];
      stmt.run(...values);
      return [];
    },
    runAll: async (writes) => all(writes),
  };
}

function postgres(pool: Pool): PreparedSql {
  // A statement name per text: pg prepares it once per connection, then sends only its parameters.
  const names = new Map<string, string>();
  const named = (text: string) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `passport_${crypto.createHash("sha256").update(text).digest("hex").slice(0, 24)}`));
    return name;
  };
  return {
    rows: async <T>(text: string, values: SqlParam[]) => (await pool.query({ name: named(text), text, values })).rows as T[],
    run: async (text, values) => (await pool.query({ name: named(text), text, values })).rowCount ?? 0,
    query: async (text, values) => (await pool.query({ name: named(text), text, values })).rows as Record<string, unknown>[],
    runAll: async (writes) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const changed: number[] = [];
        for (const { sql: text, values } of writes) changed.push((await client.query({ name: named(text), text, values })).rowCount ?? 0);
        await client.query("COMMIT");
        return changed;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/** The driver handle statements belong to: the SQLite connection, or the pg pool. */
function handleOf(ds: DataSource): Database | Pool {
  const handle = sqliteConnection(ds) ?? pgPool(ds);
  if (!handle) throw new Error(`no prepared statements for ${ds.options.type}${ds.isInitialized ? "" : " before the DataSource is initialized"}`);
  return handle;
}

/**
 * Statements run on the DataSource's current connection or pool. The stores hold this for their
 * lifetime; a DataSource that is closed and opened again gets fresh statements on its new handle.
 */
export function preparedSql(ds: DataSource): PreparedSql {
  let current: { handle: Database | Pool; sql: PreparedSql } | undefined;
  const sql = () => {
    const handle = handleOf(ds);
    if (current?.handle !== handle) current = { handle, sql: ds.options.type === "postgres" ? postgres(handle as Pool) : sqlite(handle as Database) };
    return current.sql;
  };
  return {
    rows: (text, params) => sql().rows(text, params),
    run: (text, params) => sql().run(text, params),
    query: (text, params) => sql().query(text, params),
    runAll: (writes) => sql().runAll(writes),
  };
}
