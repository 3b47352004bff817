// Benchmark-only: counts the SQL statements (and, on PostgreSQL, the round trips) a server
// process sends, by wrapping the drivers' own entry points in this process. Nothing in src/ knows.
// better-sqlite3: every run/all/get/iterate of a prepared statement, and exec. pg: every
// Client.query call is one round trip (pg waits for each answer before the next on a connection).
import Database from "better-sqlite3";
import pg from "pg";

export interface StatementCount {
  statements: number;
  /** Transactions committed: writes outside BEGIN … COMMIT, and COMMITs. */
  commits: number;
  /** The statements' texts (first 120 characters), with how often each ran. */
  texts: Record<string, number>;
}

let counting = false;
let count: StatementCount = { statements: 0, commits: 0, texts: {} };

/** A write, also inside WITH (the batched spend and insert: `WITH spent AS (UPDATE …`). */
const WRITE = /^\s*(INSERT|UPDATE|DELETE|WITH \w+ AS \(\s*(INSERT|UPDATE|DELETE))\b/i;
const BEGIN = /^\s*(BEGIN|START TRANSACTION|SAVEPOINT)\b/i;
/** pg connections inside BEGIN … COMMIT. */
const inTransaction = new WeakSet<object>();

/** `open`: whether the connection is inside a transaction; null when the wrapper tracks it from the statements. */
function note(sql: unknown, conn: object, open: boolean | null): void {
  const text = (typeof sql === "string" ? sql : ((sql as { text?: string } | null)?.text ?? "?")).replace(/\s+/g, " ");
  const inside = open ?? inTransaction.has(conn);
  if (open === null) {
    if (BEGIN.test(text)) inTransaction.add(conn);
    else if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(text)) inTransaction.delete(conn);
  }
  if (!counting) return;
  count.statements++;
  if (/^\s*(COMMIT|END)\b/i.test(text) || (WRITE.test(text) && !inside)) count.commits++;
  const short = text.slice(0, 120);
  count.texts[short] = (count.texts[short] ?? 0) + 1;
}

let installed = false;

export function installStatementCounter(): void {
  if (installed) return;
  installed = true;
  const probe = new Database(":memory:");
  const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, (...a: unknown[]) => unknown> & { source?: string };
  probe.close();
  for (const m of ["run", "all", "get", "iterate"]) {
    const orig = Statement[m]!;
    Statement[m] = function (this: { source: string; database: Database.Database }, ...args: unknown[]) {
      // db.transaction() runs its BEGIN and COMMIT through here too.
      const open = this.database.inTransaction;
      note(this.source, this.database, open);
      return orig.apply(this, args);
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (this: Database.Database, sql: string) {
    note(sql, this, this.inTransaction);
    return exec.call(this, sql);
  };
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    note(args[0], this, null);
    return query.apply(this, args);
  };
}

export function startCounting(): void {
  count = { statements: 0, commits: 0, texts: {} };
  counting = true;
}

export function stopCounting(): StatementCount {
  counting = false;
  return count;
}
