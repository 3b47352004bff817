// Transactions that work on both databases. PostgreSQL gives each transaction its own pooled
// connection. SQLite (better-sqlite3) has one connection, so there transactions take turns with
// each other and with every write made outside them (sqlite-turns.ts): a write that was no part of
// a transaction must never run inside another request's, whose rollback would undo it after its
// writer was told it is stored (a spent refresh token usable again, a counted password attempt gone).
import type { DataSource, EntityManager } from "typeorm";
import { sqliteConnection } from "./driver-handles.js";
import { connectionTurns } from "./sqlite-turns.js";

/** Runs `work` in a transaction; on SQLite it waits for its turn (sqlite-turns.ts). */
export function inTransaction<T>(ds: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(work);
}

/**
 * Runs `write` once no transaction is open on the SQLite connection (at once on PostgreSQL).
 * `write` must run its statements synchronously when called, as the driver's prepared statements
 * do: the check and the statements then happen with nothing in between, and the common case (no
 * transaction open) costs no turn. For the stores' writes that are no part of a transaction; never
 * call it from inside an inTransaction's work, which would wait for itself until the turn's
 * timeout (TURN_TIMEOUT_MS) failed it. (Telling the two apart needs an AsyncLocalStorage, and a
 * second one enabled in the process more than doubles what every `await` costs.)
 */
export async function betweenTransactions<T>(ds: DataSource, write: () => T): Promise<Awaited<T>> {
  const turns = sqliteConnection(ds)?.inTransaction ? connectionTurns(ds) : undefined;
  // Every transaction on the connection holds a turn, so within one of our own none is open.
  if (turns) return turns.take(async (): Promise<Awaited<T>> => await write());
  return await write();
}
