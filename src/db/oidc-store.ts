// Storage for oidc-provider artifacts: one table keyed by (kind, id) with indexed grant id, user
// code and uid, plus an expiry purge. The adapter (src/oidc/adapter.ts) is the only caller.
//
// The calls made on every token request (find, upsert, consume, destroy) use fixed SQL with bound
// parameters instead of the repository: TypeORM writes number values such as `expires_at` into
// the SQL text, so each upsert and consume was a new statement to prepare, and the stream of
// one-off statements pushed the others out of the driver's 100-statement cache. The rarely used
// bulk deletes stay on the repository.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { OidcPayloadEntity, type OidcPayloadRow, ShareEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";

export type StoredPayload = Record<string, unknown> & { consumed?: number };

type Lookup = { id: string } | { uid: string } | { userCode: string };

interface FoundRow {
  payload: string;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

const COLUMNS = ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "expires_at", "consumed_at"];

/** The hot-path statements, written once for the database's dialect and table path. */
function statements(ds: DataSource) {
  const q = (name: string) => ds.driver.escape(name);
  const table = ds.getMetadata(OidcPayloadEntity).tablePath.split(".").map(q).join(".");
  const p = ds.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
  const select = (column: string) =>
    `SELECT ${q("payload")}, ${q("expires_at")}, ${q("consumed_at")} FROM ${table} WHERE ${q("kind")} = ${p(1)} AND ${q(column)} = ${p(2)} LIMIT 1`;
  return {
    upsert:
      `INSERT INTO ${table} (${COLUMNS.map(q).join(", ")}) VALUES (${COLUMNS.map((_, i) => p(i + 1)).join(", ")}) ` +
      `ON CONFLICT (${q("kind")}, ${q("id")}) DO UPDATE SET ${COLUMNS.slice(2).map((c) => `${q(c)} = excluded.${q(c)}`).join(", ")}`,
    findById: select("id"),
    findByUid: select("uid"),
    findByUserCode: select("user_code"),
    consume: `UPDATE ${table} SET ${q("consumed_at")} = ${p(1)} WHERE ${q("kind")} = ${p(2)} AND ${q("id")} = ${p(3)}`,
    destroy: `DELETE FROM ${table} WHERE ${q("kind")} = ${p(1)} AND ${q("id")} = ${p(2)}`,
  };
}

/** pg returns bigint as a string; SQLite as a number. */
const epoch = (v: number | string | null) => (v === null ? null : Number(v));
const str = (v: unknown) => (typeof v === "string" ? v : null);

export class OidcStore {
  private readonly repo: Repository<OidcPayloadRow>;
  private readonly sql: ReturnType<typeof statements>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(OidcPayloadEntity);
    this.sql = statements(ds);
  }

  async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
    const values = [kind, id, JSON.stringify(payload), str(payload.grantId), str(payload.userCode), str(payload.uid), str(payload.accountId), expiresAt, null];
    await this.ds.query(this.sql.upsert, values);
  }

  async find(kind: string, where: Lookup) {
    const [sql, value] =
      "id" in where ? [this.sql.findById, where.id] : "uid" in where ? [this.sql.findByUid, where.uid] : [this.sql.findByUserCode, where.userCode];
    const [row] = (await this.ds.query(sql, [kind, value])) as FoundRow[];
    if (!row) return undefined;
    const expiresAt = epoch(row.expires_at);
    const consumedAt = epoch(row.consumed_at);
    if (expiresAt !== null && expiresAt <= Date.now()) return undefined;
    const payload = JSON.parse(row.payload) as StoredPayload;
    if (consumedAt !== null) payload.consumed = Math.floor(consumedAt / 1000);
    return payload;
  }

  async consume(kind: string, id: string): Promise<void> {
    await this.ds.query(this.sql.consume, [Date.now(), kind, id]);
  }

  async destroy(kind: string, id: string): Promise<void> {
    await this.ds.query(this.sql.destroy, [kind, id]);
  }

  /**
   * Grant revocation removes every artifact of the grant, whatever its kind, and the payload shared
   * under it: tokens, the stored JWE and file access end together.
   */
  async revokeByGrantId(grantId: string): Promise<void> {
    // oidc-provider calls this once per token kind at the same time; inTransaction lets them take turns on SQLite.
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(OidcPayloadEntity).delete({ grantId });
      await m.getRepository(ShareEntity).delete({ grantId });
    });
  }

  /** Account deletion: every session, grant and token of the account goes. */
  async revokeByAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const res = await this.repo.delete({ expiresAt: LessThan(now) });
    return res.affected ?? 0;
  }
}
