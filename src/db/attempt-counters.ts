// Atomic attempt counters: the one primitive behind every limit (sign-in, recovery, password
// checks, sign-ups, email-code sends). A limit read first and written after the expensive part lets
// a burst of parallel requests pass together; here one statement (an upsert with a condition)
// counts the attempt and decides, so the limit holds whatever the concurrency and across every
// process that shares the database.
//
// API (services normally use src/services/rate-limit.ts, which wraps this one):
//   reserve(key, rule, now?) -> { ok: true, hits, blockedUntil } | { ok: false, retryAfterMs }
//     Counts one attempt under `key` if the key is not blocked, atomically. Reserve BEFORE the
//     costly or irreversible work; a refused attempt is not counted.
//   release(key, rule, reservation) -> undoes one reservation (the attempt turned out legitimate,
//     e.g. a right password: it should not count as a failure).
//   clear(key) -> forgets the key (e.g. a successful sign-in clears the account's failures).
//   purge(now?) -> deletes rows that no longer matter.
//
// A rule is { limit, windowMs, reset?, backoff? }:
//   - `limit` attempts are allowed per window; the attempt that reaches it blocks the key
//   - reset "fixed" (default): the window starts at the first attempt and lasts windowMs
//     (e.g. 10 sign-ups an hour); "quiet": it restarts at every attempt, so the count is forgotten
//     only after windowMs without one (brute-force detection)
//   - backoff { baseMs, maxMs }: instead of blocking until the window ends, block for baseMs, then
//     allow one attempt per wait, each wait double the last, up to maxMs (Keycloak-like)
import type { DataSource } from "typeorm";
import { AttemptCounterEntity } from "./entities.js";
import { preparedSql, type PreparedSql, type SqlValue } from "./prepared.js";
import { betweenTransactions } from "./transaction.js";

export interface CounterRule {
  limit: number;
  windowMs: number;
  reset?: "fixed" | "quiet";
  backoff?: { baseMs: number; maxMs: number };
}

export type Reservation = { ok: true; hits: number; blockedUntil: number } | { ok: false; retryAfterMs: number };

export class AttemptCounterStore {
  private readonly table: string;
  /** The counting statements, on the driver (see run). */
  private readonly db: PreparedSql;
  private readonly sql = new Map<string, string>();

  constructor(private readonly ds: DataSource) {
    const q = (n: string) => ds.driver.escape(n);
    this.table = ds.getMetadata(AttemptCounterEntity).tablePath.split(".").map(q).join(".");
    this.db = preparedSql(ds);
  }

  async reserve(key: string, rule: CounterRule, now = Date.now()): Promise<Reservation> {
    const quiet = rule.reset === "quiet";
    const expires = now + rule.windowMs;
    // The first attempt of a window: blocked at once only when the limit is 1.
    const firstBlock = rule.limit > 1 ? 0 : rule.backoff ? now + Math.min(rule.backoff.baseMs, rule.backoff.maxMs) : expires;
    const sql = this.reserveSql(quiet, rule.backoff !== undefined);
    const params: SqlValue[] = [key, now, expires, firstBlock, rule.limit];
    if (rule.backoff) params.push(rule.backoff.baseMs, rule.backoff.maxMs, doublings(rule.backoff));
    const rows = await this.run(sql, params);
    const row = rows[0];
    if (row) return { ok: true, hits: Number(row.hits), blockedUntil: Number(row.blocked_until) };
    // Refused: the statement changed nothing. Read the wait only to tell the caller.
    const [held] = await this.run(`SELECT blocked_until FROM ${this.table} WHERE ${this.col("key")} = $1`, [key]);
    return { ok: false, retryAfterMs: Math.max(1000, Number(held?.blocked_until ?? 0) - now) };
  }

  /** Gives back one reservation. The block it set goes too; a block others set stays unless the count drops below the limit. */
  async release(key: string, rule: CounterRule, r: Reservation): Promise<void> {
    if (!r.ok) return;
    await this.run(
      `UPDATE ${this.table} SET hits = hits - 1, blocked_until = CASE WHEN hits - 1 < CAST($2 AS INTEGER) OR blocked_until = CAST($3 AS BIGINT) THEN 0 ELSE blocked_until END WHERE ${this.col("key")} = $1 AND hits > 0`,
      [key, rule.limit, r.blockedUntil],
    );
  }

  async clear(key: string): Promise<void> {
    await this.ds.getRepository(AttemptCounterEntity).delete({ key });
  }

  /** Rows whose window is over and that block nothing any more. */
  async purge(now = Date.now()): Promise<number> {
    const res = await this.ds
      .getRepository(AttemptCounterEntity)
      .createQueryBuilder()
      .delete()
      .where("expires_at <= :now AND blocked_until <= :now", { now })
      .execute();
    return res.affected ?? 0;
  }

  // $1 key, $2 now, $3 now + window, $4 block of a first attempt, $5 limit, $6 backoff base,
  // $7 backoff max, $8 doublings before the max (only with a backoff: pg wants no unused ones). In ON CONFLICT DO UPDATE every `c.` is the row as
  // it was; the WHERE makes a blocked key refuse without change (then RETURNING yields no row).
  private reserveSql(quiet: boolean, backoff: boolean): string {
    const id = `${quiet}:${backoff}`;
    const cached = this.sql.get(id);
    if (cached) return cached;
    const now = "CAST($2 AS BIGINT)";
    const stale = `c.expires_at <= ${now}`;
    const hits = `(CASE WHEN ${stale} THEN 1 ELSE c.hits + 1 END)`;
    const expires = quiet ? "CAST($3 AS BIGINT)" : `(CASE WHEN ${stale} THEN CAST($3 AS BIGINT) ELSE c.expires_at END)`;
    const over = `(${hits} - CAST($5 AS INTEGER))`;
    const wait = `(CASE WHEN ${over} >= CAST($8 AS INTEGER) THEN CAST($7 AS BIGINT) ELSE CAST($6 AS BIGINT) << ${over} END)`;
    const block = `(CASE WHEN ${over} < 0 THEN 0 ELSE ${backoff ? `${now} + ${wait}` : expires} END)`;
    const sql =
      `INSERT INTO ${this.table} AS c (${this.col("key")}, hits, blocked_until, expires_at) ` +
      `VALUES ($1, 1, CAST($4 AS BIGINT), CAST($3 AS BIGINT)) ` +
      `ON CONFLICT (${this.col("key")}) DO UPDATE SET hits = ${hits}, blocked_until = ${block}, expires_at = ${expires} ` +
      `WHERE c.blocked_until <= ${now} RETURNING hits, blocked_until`;
    this.sql.set(id, sql);
    return sql;
  }

  private col(name: string): string {
    return this.ds.driver.escape(name);
  }

  /** Runs SQL written with $n placeholders; never inside another request's open transaction, whose rollback would undo this count. */
  private run(sql: string, params: SqlValue[]): Promise<Record<string, unknown>[]> {
    return betweenTransactions(this.ds, () => this.db.query(sql, params));
  }
}

/** How many times the wait doubles before it reaches the maximum. */
function doublings(b: { baseMs: number; maxMs: number }): number {
  let n = 0;
  while (b.baseMs > 0 && b.baseMs * 2 ** n < b.maxMs && n < 40) n++;
  return n;
}
