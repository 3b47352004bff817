// Transactions that work on both databases. PostgreSQL gives each transaction its own pooled
// connection. SQLite (better-sqlite3) has one connection, and TypeORM cannot open a second
// transaction on it while one is running ("cannot start a transaction within a transaction"), so
// transactions on SQLite take turns, one after the other, in this process.
import type { DataSource, EntityManager } from "typeorm";

const queues = new WeakMap<DataSource, Promise<unknown>>();

export function inTransaction<T>(ds: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type !== "better-sqlite3") return ds.transaction(work);
  const previous = queues.get(ds) ?? Promise.resolve();
  const run = previous.then(() => ds.transaction(work));
  queues.set(ds, run.catch(() => undefined));
  return run;
}
