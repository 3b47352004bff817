// Transactions that work on both databases. PostgreSQL gives each transaction its own pooled
// connection. SQLite (better-sqlite3) has one connection, and TypeORM cannot open a second
// transaction on it while one is running ("cannot start a transaction within a transaction"), so
// transactions on SQLite take turns, one after the other, in this process.
//
// On that one connection every statement runs inside whatever transaction is open there, also
// another request's: a write that is not part of a transaction but ran while one was open would be
// undone by its rollback after its writer was told it is stored (a spent refresh token usable
// again, a counted password attempt gone). Such writes go through betweenTransactions.
import type { DataSource, EntityManager } from "typeorm";
import { sqliteConnection } from "./driver-handles.js";

const queues = new WeakMap<DataSource, Promise<unknown>>();

export function inTransaction<T>(ds: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type !== "better-sqlite3") return ds.transaction(work);
  const previous = queues.get(ds) ?? Promise.resolve();
  const run = previous.then(() => ds.transaction(work));
  queues.set(ds, run.catch(() => undefined));
  return run;
}

/**
 * Runs `write` once no transaction is open on the SQLite connection (at once on PostgreSQL).
 * `write` must run its statements synchronously when called, as the driver's prepared statements
 * do: the check and the statements then happen with nothing in between. For the stores' writes
 * that are no part of a transaction; never call it from inside an inTransaction's work, which
 * would wait for itself. (Telling the two apart needs an AsyncLocalStorage, and a second one
 * enabled in the process more than doubles what every `await` costs.)
 */
export async function betweenTransactions<T>(ds: DataSource, write: () => T): Promise<Awaited<T>> {
  const db = sqliteConnection(ds);
  if (db) {
    while (db.inTransaction) {
      await queues.get(ds); // the transactions opened here, in their turns
      // One TypeORM opened by itself (a save with relations): look again next turn.
      if (db.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return await write();
}
