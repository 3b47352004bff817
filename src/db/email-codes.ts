// One-time email codes: at most one live code per holder and address. Each statement that matters
// is one conditional SQL statement, so parallel requests (and processes) cannot slip past a limit:
// a guess is counted before its comparison, a resend keeps the count, and a code is redeemed once.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { EmailCodeEntity, type EmailCodeRow } from "./entities.js";
import { preparedSql, type PreparedSql, type SqlValue } from "./prepared.js";
import { betweenTransactions } from "./transaction.js";

export type AttemptResult = { ok: true; codeHash: string } | { ok: false; reason: "no_code" | "used_up" };

export class EmailCodeStore {
  private readonly repo: Repository<EmailCodeRow>;
  private readonly table: string;
  /** The counting statements, on the driver (see run). */
  private readonly db: PreparedSql;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(EmailCodeEntity);
    this.table = ds.getMetadata(EmailCodeEntity).tablePath.split(".").map((n) => ds.driver.escape(n)).join(".");
    this.db = preparedSql(ds);
  }

  /**
   * Stores a new code for the address, replacing the old one. The failed attempts of a live code
   * carry over, so a resend buys no extra guesses; they start again only when the old code was used
   * up or had expired (getting that new code costs a counted send).
   */
  async issue(row: Omit<EmailCodeRow, "attempts">, maxAttempts: number): Promise<void> {
    await this.run(
      `INSERT INTO ${this.table} AS c (account_id, email_hash, code_hash, attempts, sent_at, expires_at) VALUES ($1, $2, $3, 0, CAST($4 AS BIGINT), CAST($5 AS BIGINT)) ` +
        `ON CONFLICT (account_id, email_hash) DO UPDATE SET code_hash = $3, sent_at = CAST($4 AS BIGINT), expires_at = CAST($5 AS BIGINT), ` +
        `attempts = CASE WHEN c.attempts >= CAST($6 AS INTEGER) OR c.expires_at < CAST($4 AS BIGINT) THEN 0 ELSE c.attempts END`,
      [row.accountId, row.emailHash, row.codeHash, row.sentAt, row.expiresAt, maxAttempts],
    );
  }

  /** Counts one attempt on a live code that has attempts left, and only then hands out its hash to compare. */
  async reserveAttempt(accountId: string, emailHash: string, now: number, maxAttempts: number): Promise<AttemptResult> {
    const rows = await this.run(
      `UPDATE ${this.table} SET attempts = attempts + 1 WHERE account_id = $1 AND email_hash = $2 AND expires_at >= CAST($3 AS BIGINT) AND attempts < CAST($4 AS INTEGER) RETURNING code_hash`,
      [accountId, emailHash, now, maxAttempts],
    );
    const hit = rows[0];
    if (hit) return { ok: true, codeHash: String(hit.code_hash) };
    const row = await this.repo.findOne({ where: { accountId, emailHash } });
    return { ok: false, reason: row && row.expiresAt >= now ? "used_up" : "no_code" };
  }

  /** Deletes the code if it is still this one; true for exactly one of parallel redeemers. */
  async redeem(accountId: string, emailHash: string, codeHash: string): Promise<boolean> {
    return ((await this.repo.delete({ accountId, emailHash, codeHash })).affected ?? 0) === 1;
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }

  async purge(now: number): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }

  /** Runs SQL written with $n placeholders and returns the rows; never inside another request's open transaction, whose rollback would undo this count. */
  private run(sql: string, params: SqlValue[]): Promise<Record<string, unknown>[]> {
    return betweenTransactions(this.ds, () => this.db.query(sql, params));
  }
}
