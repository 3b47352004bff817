// Storage for oidc-provider artifacts: one table keyed by (kind, id) with indexed grant id, user
// code and uid, plus an expiry purge. The adapter (src/oidc/adapter.ts) is the only caller.
//
// The calls made on every token request (find, upsert, consume, destroy) are fixed SQL with bound
// parameters, run as prepared statements on the driver itself (src/db/prepared.ts): TypeORM's
// repository writes number values such as `expires_at` into the SQL text (a new statement each
// time), and even its plain `query` wraps each statement in more work than SQLite spends on it.
// The rarely used bulk deletes stay on the repository.
//
// A copy of the table must yield no usable token (see storedId and storedPayload): ids are kept as
// their SHA-256, and the payload loses every copy of the id. A lookup checks the artifact's client
// in the clients table in the same statement, so a disabled or deleted client's tokens stop
// working at once in every process, whatever the client cache holds.
import crypto from "node:crypto";
import { type DataSource, LessThan, type Repository } from "typeorm";
import { ClientEntity, OidcPayloadEntity, type OidcPayloadRow, ShareEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";
import { preparedSql, type PreparedSql } from "./prepared.js";

export type StoredPayload = Record<string, unknown> & { consumed?: number };

type Lookup = { id: string } | { uid: string } | { userCode: string };

interface FoundRow {
  payload: string;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

const COLUMNS = ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "client_id", "expires_at", "consumed_at"];

/**
 * Kinds whose id is stored as is. A grant id is no credential (nothing outside the server accepts
 * one), and every token row names its grant in `grant_id` anyway; the connected-apps page and
 * revocation look grants up by it.
 */
const PLAIN_ID_KINDS = new Set(["Grant"]);

/** Stands for the artifact's own id inside a stored payload. JSON.stringify never writes U+0001 raw. */
const ID_MARK = "\u0001";

/** What the id column holds: the SHA-256 of a token, code or session id (base64url), so a copy of the table replays nothing. */
export function storedId(kind: string, id: string): string {
  return PLAIN_ID_KINDS.has(kind) ? id : crypto.createHash("sha256").update(id).digest("base64url");
}

/**
 * The payload as stored: without `jti` (it is the id), with any other copy of the id replaced by
 * a mark (an interaction's `returnTo` names its uid), and without the session cookie value an
 * interaction keeps (`session.cookie`, which oidc-provider never reads back).
 */
function storedPayload(kind: string, id: string, payload: Record<string, unknown>): string {
  const { jti: _jti, ...rest } = payload;
  const session = rest.session as Record<string, unknown> | undefined;
  if (session && typeof session === "object" && "cookie" in session) {
    const { cookie: _cookie, ...kept } = session;
    rest.session = kept;
  }
  const json = JSON.stringify(rest);
  return PLAIN_ID_KINDS.has(kind) || id.length < 16 ? json : json.split(id).join(ID_MARK);
}

/** The payload back, with its id where it was; found by uid or user code the id is not known, and `jti` stays unset. */
function openPayload(text: string, id: string | undefined): StoredPayload {
  const payload = JSON.parse(text.includes(ID_MARK) ? text.split(ID_MARK).join(id ?? "") : text) as StoredPayload;
  return id === undefined ? payload : { jti: id, ...payload };
}

/** The client an artifact belongs to: tokens, codes and grants name it; an interaction has it in its request. */
function clientOf(payload: Record<string, unknown>): string | null {
  return str(payload.clientId) ?? str((payload.params as Record<string, unknown> | undefined)?.client_id);
}

/** The hot-path statements, written once for the database's dialect and table path. */
function statements(ds: DataSource) {
  const q = (name: string) => ds.driver.escape(name);
  const path = (entity: typeof OidcPayloadEntity | typeof ClientEntity) => ds.getMetadata(entity).tablePath.split(".").map(q).join(".");
  const table = path(OidcPayloadEntity);
  const p = ds.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
  // The client's enabled flag is read from the database on every lookup, never from a cache:
  // a disable through the CLI (another process) refuses the client's tokens with the next request.
  const clientEnabled =
    `(a.${q("client_id")} IS NULL OR EXISTS (SELECT 1 FROM ${path(ClientEntity)} c WHERE c.${q("client_id")} = a.${q("client_id")} AND c.${q("enabled")}))`;
  const select = (column: string) =>
    `SELECT a.${q("payload")}, a.${q("expires_at")}, a.${q("consumed_at")} FROM ${table} a WHERE a.${q("kind")} = ${p(1)} AND a.${q(column)} = ${p(2)} AND ${clientEnabled} LIMIT 1`;
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
  private readonly db: PreparedSql;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(OidcPayloadEntity);
    this.sql = statements(ds);
    this.db = preparedSql(ds);
  }

  async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
    const values = [
      kind,
      storedId(kind, id),
      storedPayload(kind, id, payload),
      str(payload.grantId),
      str(payload.userCode),
      str(payload.uid),
      str(payload.accountId),
      clientOf(payload),
      expiresAt,
      null,
    ];
    await this.db.run(this.sql.upsert, values);
  }

  /** The artifact, unless it expired or its client is disabled or gone. */
  async find(kind: string, where: Lookup) {
    const [sql, value] =
      "id" in where ? [this.sql.findById, storedId(kind, where.id)] : "uid" in where ? [this.sql.findByUid, where.uid] : [this.sql.findByUserCode, where.userCode];
    const [row] = await this.db.rows<FoundRow>(sql, [kind, value]);
    if (!row) return undefined;
    const expiresAt = epoch(row.expires_at);
    const consumedAt = epoch(row.consumed_at);
    if (expiresAt !== null && expiresAt <= Date.now()) return undefined;
    const payload = openPayload(row.payload, "id" in where ? where.id : undefined);
    if (consumedAt !== null) payload.consumed = Math.floor(consumedAt / 1000);
    return payload;
  }

  async consume(kind: string, id: string): Promise<void> {
    await this.db.run(this.sql.consume, [Date.now(), kind, storedId(kind, id)]);
  }

  async destroy(kind: string, id: string): Promise<void> {
    await this.db.run(this.sql.destroy, [kind, storedId(kind, id)]);
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

  /**
   * Ends oidc-provider sessions: the ones named (by their stored id), or with `everyOf`, every
   * session of that account except the ones named.
   */
  async destroySessions(storedIds: string[], everyOf?: string): Promise<void> {
    const q = this.repo.createQueryBuilder().delete().where("kind = :kind", { kind: "Session" });
    if (everyOf !== undefined) {
      q.andWhere("account_id = :account", { account: everyOf });
      if (storedIds.length) q.andWhere("id NOT IN (:...keep)", { keep: storedIds });
    } else {
      if (!storedIds.length) return;
      q.andWhere("id IN (:...ids)", { ids: storedIds });
    }
    await q.execute();
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
