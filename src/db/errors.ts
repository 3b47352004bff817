// Database errors that mean something to callers, on both drivers.
import type { ObjectLiteral, Repository } from "typeorm";
import type { QueryDeepPartialEntity } from "typeorm/query-builder/QueryPartialEntity.js";

/** A unique constraint refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? "";
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
}

/** Inserts `row`; false when a unique constraint refused it (the race's loser), any other error thrown. */
export async function insertUnlessTaken<T extends ObjectLiteral>(repo: Repository<T>, row: QueryDeepPartialEntity<T>): Promise<boolean> {
  try {
    await repo.insert(row);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
