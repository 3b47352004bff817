// Database errors that mean something to callers, on both drivers.

/** A unique constraint refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? "";
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
}
