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
// working at once in every process, whatever the client cache holds. On SQLite the serving process
// may answer a token read again from memory (cacheTokens), dropped by any change to its rows or to
// a client before the next request.
import crypto from "node:crypto";
import { type DataSource, LessThan, type Repository } from "typeorm";
import { ClientEntity, OidcPayloadEntity, type OidcPayloadRow, ShareEntity } from "./entities.js";
import { betweenTransactions, inTransaction } from "./transaction.js";
import { preparedSql, type PreparedSql, type SqlParam, type SqlValue, type Write } from "./prepared.js";
import { sqliteChanges } from "./sqlite-changes.js";
import { TurnBatch } from "./turn-batch.js";
import { TokenCache } from "./token-cache.js";
import { PlannerStatistics } from "./planner-statistics.js";

export type StoredPayload = Record<string, unknown> & { consumed?: number };

type Lookup = { id: string } | { uid: string } | { userCode: string };

interface FoundRow {
  payload: string;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

/** A token row with the grant it names, read in one statement (findTokens). */
interface TokenRow extends FoundRow {
  token_id: string;
  kind: string;
  grant_id: string | null;
  g_payload: string | null;
  g_expires_at: number | string | null;
  g_consumed_at: number | string | null;
}

/** A grant row, read for a signed access token (findGrants). */
interface GrantRow extends FoundRow {
  grant_id: string;
}

/** A grant or a spent marker, read for a signed refresh token (findRefreshGrants). */
interface MarkedRow extends FoundRow {
  kind: string;
  id: string;
}

/** A signed refresh token's grant (undefined: none usable) and when the token was spent (ms), if it was. */
export interface RefreshGrant {
  grant: StoredPayload | undefined;
  spentAt: number | null;
}

/** A signed refresh token's grant (undefined: none usable) and whether this read spent the token (takeRefreshGrant). */
export interface TakenRefreshGrant {
  grant: StoredPayload | undefined;
  won: boolean;
}

/**
 * The kinds a presented token value may be. oidc-provider asks for one, or (introspection,
 * revocation) for several at once; each is then checked against its grant. findToken reads all of
 * them and their grants with one statement.
 */
export const TOKEN_KINDS = ["AccessToken", "ClientCredentials", "RefreshToken", "AuthorizationCode"] as const;

/** A revoked signed client-credentials token (src/oidc/signed-client-tokens.ts): a row only marks it. */
export const REVOKED_SIGNED_KIND = "RevokedClientCredentials";

/** A spent signed refresh token (src/oidc/signed-grant-tokens.ts): a row only marks it, until the token would have expired. */
export const SPENT_SIGNED_KIND = "SpentRefreshToken";

/** A row of takeRefreshGrants naming a marker that statement inserted (no kind stored is called so). */
const TAKEN = "Taken";

/** Token kinds presented again and again (userinfo, introspection): the ones worth keeping in memory. */
const REUSED_KINDS = new Set(["AccessToken", "ClientCredentials"]);

/** A write waiting for its batch, and how to answer its caller (the rows it changed). */
interface QueuedWrite extends Write {
  resolve(changed: number): void;
  reject(err: unknown): void;
}

/** What findToken found for a token value: each kind's payload, and the grants they name (null: none usable). */
export interface FoundToken {
  tokens: Map<string, StoredPayload>;
  grants: Map<string, StoredPayload | null>;
}

const COLUMNS = ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "client_id", "expires_at", "consumed_at"];
/** The columns' PostgreSQL types, for the arrays of the batched upsert. */
const PG_TYPES = ["varchar", "varchar", "text", "varchar", "varchar", "varchar", "varchar", "varchar", "bigint", "bigint"];
/** A spent marker's columns (markSpent) and their PostgreSQL types: no grant, account or client, so it adds no entry to their indexes. */
const MARK_COLUMNS = ["kind", "id", "payload", "consumed_at", "expires_at"];
const MARK_PG_TYPES = ["varchar", "varchar", "text", "bigint", "bigint"];

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
  return PLAIN_ID_KINDS.has(kind) ? id : crypto.hash("sha256", id, "base64url"); // one call, no Hash object
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
  return PLAIN_ID_KINDS.has(kind) || id.length < 16 || !json.includes(id) ? json : json.replaceAll(id, ID_MARK);
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

/**
 * The most values one batched statement names (token reads; on PostgreSQL writes too); a larger
 * batch is sent in parts. Each count has a statement of its own (`IN ($1, …, $n)`), not one
 * statement taking an array (`= ANY($1)`) for all: PostgreSQL plans a statement that takes an
 * array for ten values, so once the table is large its plan made for no values in particular
 * costs more than one made for the one or two a batch holds, and PostgreSQL planned every run
 * afresh (measured: userinfo's reads took three times the database's CPU). A statement for
 * exactly n values is planned once.
 */
const BATCH_SLOTS = 8;

/** `list` in parts of at most `size`. */
function inParts<T>(list: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < list.length; i += size) parts.push(list.slice(i, i + size));
  return parts;
}

/** A statement per count of values (1 … BATCH_SLOTS), each written once when first asked for. */
function perCount(write: (n: number) => string): (n: number) => string {
  const written: string[] = [];
  return (n) => (written[n] ??= write(n));
}

/** A count as a batched write takes it: exactly, up to BATCH_SLOTS; beyond, as arrays (one statement for any larger count). */
const slots = (n: number) => Math.min(n, BATCH_SLOTS + 1);

/** The counts of one batched write: spends of stored rows, spent markers, rows written. */
interface BatchCounts {
  spends: number;
  marks: number;
  rows: number;
}

/** A statement per set of counts, each written once when first asked for. */
function perCounts(write: (counts: BatchCounts) => string): (counts: BatchCounts) => string {
  const written = new Map<number, string>();
  return ({ spends, marks, rows }) => {
    const key = (slots(spends) * (BATCH_SLOTS + 2) + slots(marks)) * (BATCH_SLOTS + 2) + slots(rows);
    let text = written.get(key);
    if (!text) written.set(key, (text = write({ spends: slots(spends), marks: slots(marks), rows: slots(rows) })));
    return text;
  };
}

/** n rows of `types.length` columns from parameter `first` on: plain values up to BATCH_SLOTS, beyond as one array per column. */
function rowsFrom(n: number, first: number, types: string[]): string {
  return n <= BATCH_SLOTS ? `VALUES ${placeholders(n, first, types.length)}` : `SELECT * FROM unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(", ")})`;
}

/** The parameters rowsFrom takes for these rows. */
function rowParams(rows: SqlValue[][], width: number): SqlParam[] {
  return rows.length <= BATCH_SLOTS ? rows.flat() : Array.from({ length: width }, (_, i) => rows.map((r) => r[i]!));
}

/**
 * PostgreSQL: the spends, spent markers and new rows of one turn as one statement (one round
 * trip, one commit). Parameters: the spending time and the spent (kind, id) pairs, then the
 * markers' five columns, then the rows' ten; each part as plain values up to BATCH_SLOTS, beyond
 * as arrays (see batchParams). Answers the rows it spent and the markers it wrote (a marker there
 * already is a token spent before). A refresh's spend and the tokens it mints meet here: the grant
 * sends its spend without waiting (request-artifacts.ts) in the same turn as its new tokens' writes.
 */
function batchWrite(table: string, q: (name: string) => string, onConflict: string, { spends, marks, rows }: BatchCounts): string {
  const key = `${q("kind")}, ${q("id")}`;
  const parts: [name: string, sql: string][] = [];
  let next = 1;
  if (spends) {
    const pairs = spends <= BATCH_SLOTS ? placeholders(spends, 2, 2) : "SELECT * FROM unnest($2::varchar[], $3::varchar[])";
    parts.push(["spent", `UPDATE ${table} SET ${q("consumed_at")} = $1 WHERE (${key}) IN (${pairs}) AND ${q("consumed_at")} IS NULL RETURNING ${key}`]);
    next = spends <= BATCH_SLOTS ? 2 + spends * 2 : 4;
  }
  if (marks) {
    parts.push(["marked", `INSERT INTO ${table} (${MARK_COLUMNS.map(q).join(", ")}) ${rowsFrom(marks, next, MARK_PG_TYPES)} ON CONFLICT (${key}) DO NOTHING RETURNING ${key}`]);
    next += marks <= BATCH_SLOTS ? marks * MARK_COLUMNS.length : MARK_COLUMNS.length;
  }
  if (rows) parts.push(["written", `INSERT INTO ${table} (${COLUMNS.map(q).join(", ")}) ${rowsFrom(rows, next, PG_TYPES)} ${onConflict}`]);
  if (parts.length === 1) return parts[0]![1];
  // Data-modifying parts of a WITH run once each, whether or not the query reads them.
  const answers = parts.filter(([name]) => name !== "written").map(([name]) => `SELECT ${key} FROM ${name}`);
  return `WITH ${parts.map(([name, sql]) => `${name} AS (${sql})`).join(", ")} ${answers.join(" UNION ALL ")}`;
}

/** The parameters of batchWrite for these spends ((kind, stored id) pairs, distinct), markers (distinct) and rows. */
function batchParams(spentAt: number, spends: string[][], marks: SqlValue[][], rows: SqlValue[][]): SqlParam[] {
  const params: SqlParam[] = [];
  if (spends.length) params.push(spentAt, ...(spends.length <= BATCH_SLOTS ? spends.flat() : [spends.map((k) => k[0]!), spends.map((k) => k[1]!)]));
  if (marks.length) params.push(...rowParams(marks, MARK_COLUMNS.length));
  if (rows.length) params.push(...rowParams(rows, COLUMNS.length));
  return params;
}

/** `$first, $first+1, …`: n placeholders, in groups of `width` within parentheses when width > 1. */
function placeholders(n: number, first: number, width = 1): string {
  const groups = Array.from({ length: n }, (_, i) => {
    const group = Array.from({ length: width }, (_, j) => `$${first + i * width + j}`).join(", ");
    return width > 1 ? `(${group})` : group;
  });
  return groups.join(", ");
}

/** The hot-path statements, written once for the database's dialect and table path. */
function statements(ds: DataSource) {
  const q = (name: string) => ds.driver.escape(name);
  const path = (entity: typeof OidcPayloadEntity | typeof ClientEntity) => ds.getMetadata(entity).tablePath.split(".").map(q).join(".");
  const table = path(OidcPayloadEntity);
  const p = ds.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
  // The client's enabled flag is read from the database on every lookup, never from a cache:
  // a disable through the CLI (another process) refuses the client's tokens with the next request.
  const enabledClient = (alias: string) =>
    `(${alias}.${q("client_id")} IS NULL OR EXISTS (SELECT 1 FROM ${path(ClientEntity)} c WHERE c.${q("client_id")} = ${alias}.${q("client_id")} AND c.${q("enabled")}))`;
  const clientEnabled = enabledClient("a");
  const select = (column: string) =>
    `SELECT a.${q("payload")}, a.${q("expires_at")}, a.${q("consumed_at")} FROM ${table} a WHERE a.${q("kind")} = ${p(1)} AND a.${q(column)} = ${p(2)} AND ${clientEnabled} LIMIT 1`;
  const kinds = TOKEN_KINDS.map((k) => `'${k}'`).join(", ");
  const tokenRead = (idMatch: string) =>
    `SELECT a.${q("id")} AS token_id, a.${q("kind")}, a.${q("payload")}, a.${q("expires_at")}, a.${q("consumed_at")}, a.${q("grant_id")}, ` +
    `g.${q("payload")} AS g_payload, g.${q("expires_at")} AS g_expires_at, g.${q("consumed_at")} AS g_consumed_at ` +
    `FROM ${table} a LEFT JOIN ${table} g ON g.${q("kind")} = 'Grant' AND g.${q("id")} = a.${q("grant_id")} AND ${enabledClient("g")} ` +
    `WHERE a.${q("kind")} IN (${kinds}) AND ${idMatch} AND ${clientEnabled}`;
  /** `$first, …`: n placeholders. */
  const ids = (n: number, first: number) => Array.from({ length: n }, (_, i) => p(first + i)).join(", ");
  const markedColumns = `${q("kind")}, ${q("id")}, ${q("payload")}, ${q("expires_at")}, ${q("consumed_at")}`;
  /** n grants of signed refresh tokens (their ids from parameter `first` on), with the same checks as a find each. */
  const refreshGrants = (n: number, first: number) =>
    `SELECT ${markedColumns} FROM ${table} g WHERE g.${q("kind")} = 'Grant' AND g.${q("id")} IN (${ids(n, first)}) AND ${enabledClient("g")}`;
  const onConflict = `ON CONFLICT (${q("kind")}, ${q("id")}) DO UPDATE SET ${COLUMNS.slice(2).map((c) => `${q(c)} = excluded.${q(c)}`).join(", ")}`;
  return {
    table,
    upsert: `INSERT INTO ${table} (${COLUMNS.map(q).join(", ")}) VALUES (${COLUMNS.map((_, i) => p(i + 1)).join(", ")}) ${onConflict}`,
    // PostgreSQL: the spends and new rows of one turn in one statement (see batchWrite).
    batchWrite: ds.options.type === "postgres" ? perCounts((counts) => batchWrite(table, q, onConflict, counts)) : null,
    // n token values (of whichever kind each is) with their grants, with the same checks as two
    // finds each: the values read in one turn of the event loop (parallel requests) share a
    // statement, and each row names the value it belongs to.
    findTokens: perCount((n) => tokenRead(`a.${q("id")} IN (${ids(n, 1)})`)),
    // n grants, with the same checks as a find each (a signed access token's, read in one turn).
    findGrants: perCount(
      (n) =>
        `SELECT g.${q("id")} AS grant_id, g.${q("payload")}, g.${q("expires_at")}, g.${q("consumed_at")} FROM ${table} g ` +
        `WHERE g.${q("kind")} = 'Grant' AND g.${q("id")} IN (${ids(n, 1)}) AND ${enabledClient("g")}`,
    ),
    // n signed refresh tokens' grants (with the same checks as a find each) and spent markers, read in one turn.
    findRefreshGrants: perCount(
      (n) =>
        `${refreshGrants(n, 1)} UNION ALL SELECT ${markedColumns} FROM ${table} s WHERE s.${q("kind")} = '${SPENT_SIGNED_KIND}' AND s.${q("id")} IN (${ids(n, n + 1)})`,
    ),
    // PostgreSQL: n signed refresh tokens spent as their grants are read, in one turn (takeRefreshGrant). Parameters: the
    // spending time, the grant ids, then each marker's stored id and expiry and its token's grant and client. A marker is
    // inserted only while its grant is usable and the token's client's; the insert's rows come back as `Taken` rows (a
    // marker there already, or inserted by a parallel request meanwhile, does not).
    takeRefreshGrants:
      ds.options.type === "postgres"
        ? perCount((n) => {
            const types = ["varchar", "bigint", "varchar", "varchar"];
            const markers = Array.from({ length: n }, (_, i) => `(${types.map((t, j) => `$${n + 2 + 4 * i + j}::${t}`).join(", ")})`).join(", ");
            const usable =
              `EXISTS (SELECT 1 FROM ${table} g WHERE g.${q("kind")} = 'Grant' AND g.${q("id")} = m.grant_id AND g.${q("client_id")} = m.client_id ` +
              `AND (g.${q("expires_at")} IS NULL OR g.${q("expires_at")} > $1) AND ${enabledClient("g")})`;
            const insert =
              `INSERT INTO ${table} (${MARK_COLUMNS.map(q).join(", ")}) SELECT '${SPENT_SIGNED_KIND}', m.id, '{}', $1::bigint, m.expires ` +
              `FROM (VALUES ${markers}) AS m(id, expires, grant_id, client_id) WHERE ${usable} ON CONFLICT (${q("kind")}, ${q("id")}) DO NOTHING RETURNING ${q("id")}`;
            return `WITH taken AS (${insert}) ${refreshGrants(n, 2)} UNION ALL SELECT '${TAKEN}', ${q("id")}, NULL, NULL, NULL FROM taken`;
          })
        : null,
    findById: select("id"),
    findByUid: select("uid"),
    findByUserCode: select("user_code"),
    // Only an unspent row: of parallel requests presenting one code or refresh token, one spends it.
    consume: `UPDATE ${table} SET ${q("consumed_at")} = ${p(1)} WHERE ${q("kind")} = ${p(2)} AND ${q("id")} = ${p(3)} AND ${q("consumed_at")} IS NULL`,
    // Only a marker not there yet: of parallel requests presenting one signed refresh token, one spends it.
    markSpent: `INSERT INTO ${table} (${MARK_COLUMNS.map(q).join(", ")}) VALUES (${MARK_COLUMNS.map((_, i) => p(i + 1)).join(", ")}) ON CONFLICT (${q("kind")}, ${q("id")}) DO NOTHING`,
    destroy: `DELETE FROM ${table} WHERE ${q("kind")} = ${p(1)} AND ${q("id")} = ${p(2)}`,
    // A signed client-credentials token may be used while its client exists, is enabled and was created before the
    // token (a client deleted and made again under the same id is another client), and no marker revokes it.
    signedUsable:
      `SELECT 1 AS ${q("usable")} FROM ${path(ClientEntity)} c WHERE c.${q("client_id")} = ${p(1)} AND c.${q("enabled")} AND c.${q("created_at")} <= ${p(2)} ` +
      `AND NOT EXISTS (SELECT 1 FROM ${table} r WHERE r.${q("kind")} = '${REVOKED_SIGNED_KIND}' AND r.${q("id")} = ${p(3)})`,
  };
}

/** pg returns bigint as a string; SQLite as a number. */
const epoch = (v: number | string | null) => (v === null ? null : Number(v));
const str = (v: unknown) => (typeof v === "string" ? v : null);

/** A found row's payload, or undefined once it expired; `consumed` in seconds as oidc-provider keeps it. */
function opened(row: FoundRow, id: string | undefined): StoredPayload | undefined {
  const expiresAt = epoch(row.expires_at);
  const consumedAt = epoch(row.consumed_at);
  if (expiresAt !== null && expiresAt <= Date.now()) return undefined;
  const payload = openPayload(row.payload, id);
  if (consumedAt !== null) payload.consumed = Math.floor(consumedAt / 1000);
  return payload;
}

/** A token value's rows (one per kind it is stored as, with its grant) as findToken answers them. */
function foundToken(rows: TokenRow[], value: string): FoundToken {
  const found: FoundToken = { tokens: new Map(), grants: new Map() };
  for (const row of rows) {
    const token = opened(row, value);
    if (token) found.tokens.set(row.kind, token);
    if (row.grant_id !== null) {
      const grant = row.g_payload === null ? undefined : opened({ payload: row.g_payload, expires_at: row.g_expires_at, consumed_at: row.g_consumed_at }, row.grant_id);
      found.grants.set(row.grant_id, grant ?? null);
    }
  }
  return found;
}

export class OidcStore {
  private readonly repo: Repository<OidcPayloadRow>;
  private readonly sql: ReturnType<typeof statements>;
  private readonly db: PreparedSql;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(OidcPayloadEntity);
    this.sql = statements(ds);
    this.db = preparedSql(ds);
  }

  /** Writes waiting for their batch (see upsert and consume). */
  private queued: QueuedWrite[] = [];

  /**
   * Stores an artifact. Resolves once it is committed, like a single statement would; meanwhile
   * the writes of every request that reaches the store in the same turn of the event loop
   * (parallel token requests) are gathered and written with one commit, in one statement on
   * PostgreSQL: under load a token costs a fraction of a commit and of a round trip.
   */
  upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
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
    return new Promise((resolve, reject) => this.queue({ sql: this.sql.upsert, values, resolve: () => resolve(), reject }));
  }

  private queue(write: QueuedWrite): void {
    if (this.queued.push(write) === 1) setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    try {
      const changed = await betweenTransactions(this.ds, () => this.write(batch));
      this.statistics?.wrote(changed.reduce((a, b) => a + b, 0));
      batch.forEach((w, i) => w.resolve(changed[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One by one instead, so that each write answers for itself (the batch was rolled back whole).
      for (const w of batch) await betweenTransactions(this.ds, () => this.db.run(w.sql, w.values)).then(w.resolve, w.reject);
    }
  }

  /** Writes a batch in order with one commit; the rows each write changed. */
  private async write(batch: QueuedWrite[]): Promise<number[]> {
    if (batch.length === 1) return [await this.db.run(batch[0]!.sql, batch[0]!.values)];
    return (await this.writeAsOne(batch)) ?? this.db.runAll(batch);
  }

  /** The (kind, stored id) a queued write touches. */
  private keyOf(w: Write): string {
    const at = w.sql === this.sql.consume ? 1 : 0; // a spend's first value is its time
    return `${w.values[at]}\0${w.values[at + 1]}`;
  }

  /**
   * PostgreSQL (where only upserts, spends and spent markers queue): the batch as one statement
   * (batchWrite), unless that could differ from writing it in order: a row written twice, or
   * spent and written. A row spent twice is spent by the first write asking (the others are told
   * it was spent already), as is a marker written twice.
   */
  private async writeAsOne(batch: QueuedWrite[]): Promise<number[] | undefined> {
    if (!this.sql.batchWrite) return undefined;
    const spends = new Map<string, string[]>();
    const marks = new Map<string, SqlValue[]>();
    const rows: SqlValue[][] = [];
    for (const w of batch) {
      const key = this.keyOf(w);
      if (w.sql === this.sql.consume) spends.set(key, [w.values[1] as string, w.values[2] as string]);
      else if (w.sql === this.sql.markSpent) marks.set(key, marks.get(key) ?? w.values);
      else if (w.sql === this.sql.upsert) rows.push(w.values);
      else return undefined;
    }
    const written = new Set(rows.map((r) => `${r[0]}\0${r[1]}`));
    if (written.size < rows.length || [...spends.keys(), ...marks.keys()].some((k) => written.has(k))) return undefined;
    const spentAt = (batch.find((w) => w.sql === this.sql.consume)?.values[0] as number | undefined) ?? Date.now();
    const counts = { spends: spends.size, marks: marks.size, rows: rows.length };
    const answer = await this.db.rows<{ kind: string; id: string }>(this.sql.batchWrite(counts), batchParams(spentAt, [...spends.values()], [...marks.values()], rows));
    const won = new Set(answer.map((r) => `${r.kind}\0${r.id}`));
    return batch.map((w) => (w.sql === this.sql.upsert ? 1 : won.delete(this.keyOf(w)) ? 1 : 0));
  }

  /** The artifact, unless it expired or its client is disabled or gone. */
  async find(kind: string, where: Lookup) {
    const [sql, value] =
      "id" in where ? [this.sql.findById, storedId(kind, where.id)] : "uid" in where ? [this.sql.findByUid, where.uid] : [this.sql.findByUserCode, where.userCode];
    const [row] = await this.db.rows<FoundRow>(sql, [kind, value]);
    return row ? opened(row, "id" in where ? where.id : undefined) : undefined;
  }

  /**
   * A token value as every kind in TOKEN_KINDS, each with its grant, in one statement: what
   * `find(kind, { id })` would answer for each kind and for `find("Grant", { id: grantId })`.
   */
  async findToken(value: string): Promise<FoundToken> {
    const kept = this.tokenCache?.get(value);
    if (kept) return foundToken(kept, value);
    const before = this.tokenCache?.stamp();
    const id = storedId(TOKEN_KINDS[0], value);
    const rows = await this.reads.get(id);
    // Refresh tokens and codes are spent on use: keeping them would only cost.
    if (before && rows.some((r) => REUSED_KINDS.has(r.kind))) this.tokenCache!.put(value, id, rows, before);
    return foundToken(rows, value);
  }

  /**
   * A grant, as `find("Grant", { id })` answers it, for a signed access token: the grant reads of
   * one turn share a statement, and on SQLite the grant is kept in memory like a token read,
   * dropped by any change to it or to any client.
   */
  async findGrant(grantId: string): Promise<StoredPayload | undefined> {
    let rows = this.grantCache?.get(grantId);
    if (!rows) {
      const before = this.grantCache?.stamp();
      rows = await this.grantReads.get(grantId);
      if (before) this.grantCache!.put(grantId, `Grant\0${grantId}`, rows, before);
    }
    return rows[0] ? opened(rows[0], grantId) : undefined;
  }

  /**
   * A signed refresh token's grant, as `find("Grant", { id })` answers it, and whether the token
   * (its jti) was spent: one statement for the turn's reads, never kept in memory (a refresh token
   * is read to be spent).
   */
  async findRefreshGrant(grantId: string, jti: string): Promise<RefreshGrant> {
    const marker = storedId(SPENT_SIGNED_KIND, jti);
    const rows = await this.refreshReads.get(`${grantId}\0${marker}`);
    const grant = rows.find((r) => r.kind === "Grant");
    const spent = rows.find((r) => r.kind === SPENT_SIGNED_KIND);
    return { grant: grant ? opened(grant, grantId) : undefined, spentAt: spent ? epoch(spent.consumed_at) : null };
  }

  /** Whether takeRefreshGrant may be used: on PostgreSQL, where it saves a round trip (on SQLite a read costs none). */
  get takesOnRead(): boolean {
    return this.sql.takeRefreshGrants !== null;
  }

  /**
   * PostgreSQL: spends a signed refresh token (its jti, and its expiry in ms) as its grant is read,
   * in one statement for the turn's takes: findRefreshGrant and markSpent in one round trip and one
   * commit. Only while its grant is usable and its client's: a token refused for its grant stays
   * unspent, as a read leaves it. `won` is true if this call spent it; false if it was spent
   * already (by a parallel request too), or its grant is not usable.
   */
  async takeRefreshGrant(token: { grantId: string; jti: string; clientId: string; expiresAt: number }): Promise<TakenRefreshGrant> {
    const { grantId } = token;
    const { grant, won } = await this.takes.get([grantId, storedId(SPENT_SIGNED_KIND, token.jti), token.expiresAt, token.clientId].join("\0"));
    return { grant: grant ? opened(grant, grantId) : undefined, won };
  }

  private tokenCache?: TokenCache<TokenRow>;
  private grantCache?: TokenCache<GrantRow>;

  /** How many token reads are kept in memory now: token values, and grants of signed access tokens (0 without the cache). */
  get keptTokens(): number {
    return (this.tokenCache?.size ?? 0) + (this.grantCache?.size ?? 0);
  }

  /**
   * SQLite, in the serving process (createApp): keeps token reads in memory for up to `seconds`,
   * dropped on every change to what they came from (src/db/token-cache.ts). Nothing on
   * PostgreSQL, where another process's revocation could not be seen without a round trip.
   */
  cacheTokens(seconds: number): void {
    const changes = sqliteChanges(this.ds);
    if (!changes?.serving || seconds <= 0 || this.tokenCache) return;
    this.tokenCache = new TokenCache(changes, seconds * 1000);
    this.grantCache = new TokenCache(changes, seconds * 1000);
  }

  /** The rows of one statement per BATCH_SLOTS keys (in parallel: they share the turn's transaction or pool), together. */
  private async rowsInParts<Row, Key>(keys: Key[], statement: (count: number) => string, params: (part: Key[]) => SqlParam[]): Promise<Row[]> {
    const parts = await Promise.all(inParts(keys, BATCH_SLOTS).map((part) => this.db.rows<Row>(statement(part.length), params(part))));
    return parts.flat();
  }

  /**
   * The token reads of one turn of the event loop share a statement, as upsert does with writes:
   * under load, parallel token, userinfo and introspection requests share a round trip on
   * PostgreSQL, and on SQLite a read transaction (its locks on the -shm file). On SQLite the read
   * waits for the end of the turn although it costs no round trip: a refresh measured 1.06–1.13×
   * of reading at once (docs/decisions.md, "Sixteenth round").
   */
  private readonly reads = new TurnBatch<TokenRow[]>(async (ids) => {
    const byId = new Map<string, TokenRow[]>();
    for (const row of await this.rowsInParts<TokenRow, string>(ids, this.sql.findTokens, (part) => part)) {
      const found = byId.get(row.token_id);
      if (found) found.push(row);
      else byId.set(row.token_id, [row]);
    }
    return (id) => byId.get(id) ?? [];
  });

  private readonly grantReads = new TurnBatch<GrantRow[]>(async (ids) => {
    const rows = await this.rowsInParts<GrantRow, string>(ids, this.sql.findGrants, (part) => part);
    const byId = new Map(rows.map((row) => [row.grant_id, [row]]));
    return (id) => byId.get(id) ?? [];
  });

  private readonly refreshReads = new TurnBatch<MarkedRow[]>(async (keys) => {
    const pairs = keys.map((k) => k.split("\0") as [grantId: string, marker: string]);
    const rows = await this.rowsInParts<MarkedRow, (typeof pairs)[number]>(pairs, this.sql.findRefreshGrants, (part) => [...part.map((x) => x[0]), ...part.map((x) => x[1])]);
    return (key) => {
      const [grantId, marker] = key.split("\0");
      return rows.filter((r) => (r.kind === "Grant" && r.id === grantId) || (r.kind === SPENT_SIGNED_KIND && r.id === marker));
    };
  });

  private readonly takes = new TurnBatch<{ grant: MarkedRow | undefined; won: boolean }>(async (keys) => {
    const asked = keys.map((k) => k.split("\0") as [grantId: string, marker: string, expiresAt: string, clientId: string]);
    const spentAt = Date.now();
    const params = (part: typeof asked) => [spentAt, ...part.map((x) => x[0]), ...part.flatMap(([grantId, marker, expiresAt, clientId]) => [marker, Number(expiresAt), grantId, clientId])];
    const rows = await this.rowsInParts<MarkedRow, (typeof asked)[number]>(asked, this.sql.takeRefreshGrants!, params);
    const taken = new Set(rows.filter((r) => r.kind === TAKEN).map((r) => r.id));
    this.statistics?.wrote(taken.size);
    // A token asked for twice in one turn (a replay sent alongside) is spent by the first asking.
    return (key, nth) => {
      const [grantId, marker] = key.split("\0");
      return { grant: rows.find((r) => r.kind === "Grant" && r.id === grantId), won: nth === 0 && taken.has(marker!) };
    };
  });

  /**
   * Spends a signed refresh token (its jti, and its expiry in ms): writes its marker, kept until
   * the token would have expired, then purged. True if this call spent it; false if it was spent
   * already, by a parallel request too. Queued like consume.
   */
  async markSpent(jti: string, expiresAt: number): Promise<boolean> {
    const values = [SPENT_SIGNED_KIND, storedId(SPENT_SIGNED_KIND, jti), "{}", Date.now(), expiresAt];
    return new Promise((resolve, reject) => this.queue({ sql: this.sql.markSpent, values, resolve: (n) => resolve(n === 1), reject }));
  }

  /**
   * Spends a single-use artifact (a code, a rotated refresh token, a pushed request). True if this
   * call spent it; false if it was spent already, by a parallel request too, or is gone.
   */
  async consume(kind: string, id: string): Promise<boolean> {
    const stored = storedId(kind, id);
    // Queued with the upserts of this turn, so a refresh's spend shares their commit (and on PostgreSQL their statement).
    return new Promise((resolve, reject) => this.queue({ sql: this.sql.consume, values: [Date.now(), kind, stored], resolve: (n) => resolve(n === 1), reject }));
  }

  /** May a signed client-credentials token (its jti, client and issuing time in ms) still be used? Read from the database, never kept. */
  async signedTokenUsable(jti: string, clientId: string, issuedAt: number): Promise<boolean> {
    const rows = await this.db.rows<{ usable: number }>(this.sql.signedUsable, [clientId, issuedAt, storedId(REVOKED_SIGNED_KIND, jti)]);
    return rows.length > 0;
  }

  /** Revokes a signed client-credentials token: a marker under its jti's hash, kept until the token expires (`exp`, seconds), then purged. */
  async revokeSigned(jti: string, clientId: string, exp: number): Promise<void> {
    const left = Math.max(1, exp - Math.floor(Date.now() / 1000));
    await this.upsert(REVOKED_SIGNED_KIND, jti, { clientId }, left + 1);
  }

  async destroy(kind: string, id: string): Promise<void> {
    const removed = await betweenTransactions(this.ds, () => this.db.run(this.sql.destroy, [kind, storedId(kind, id)]));
    this.statistics?.wrote(removed);
  }

  /**
   * Grant revocation removes every artifact of the grant, whatever its kind, the payload shared
   * under it, and the grant itself: tokens, the stored JWE and file access end together. The grant
   * goes too because a signed access token (src/oidc/signed-grant-tokens.ts) lives as long as its
   * grant: oidc-provider keeps the grant when the revocation endpoint revokes an access token,
   * Passport does not.
   */
  async revokeByGrantId(grantId: string): Promise<void> {
    // oidc-provider calls this once per token kind at the same time; inTransaction lets them take turns on SQLite.
    const removed = await inTransaction(this.ds, async (m) => {
      const repo = m.getRepository(OidcPayloadEntity);
      const res = await repo.delete({ grantId });
      const grant = await repo.delete({ kind: "Grant", id: grantId });
      await m.getRepository(ShareEntity).delete({ grantId });
      return (res.affected ?? 0) + (grant.affected ?? 0);
    });
    this.statistics?.wrote(removed);
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
    const res = await q.execute(); // on SQLite it waits for an open transaction (sqlite-turns.ts)
    this.statistics?.wrote(res.affected ?? 0);
  }

  /** Account deletion: every session, grant and token of the account goes. */
  async revokeByAccount(accountId: string): Promise<void> {
    const res = await this.repo.delete({ accountId });
    this.statistics?.wrote(res.affected ?? 0);
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const res = await this.repo.delete({ expiresAt: LessThan(now) });
    this.statistics?.wrote(res.affected ?? 0);
    return res.affected ?? 0;
  }

  private statistics?: PlannerStatistics;

  /**
   * PostgreSQL, in the serving process: has the table analysed as this process changes it, so that
   * no connection keeps a plan made while the table was small (src/db/planner-statistics.ts). Off
   * when the database user may not analyse the table (autovacuum's ANALYZE is then all there is).
   */
  async keepPlannerStatistics(onError: (err: unknown) => void): Promise<void> {
    if (this.ds.options.type !== "postgres" || this.statistics) return;
    const [owned] = await this.ds.query<{ may: boolean }[]>("SELECT pg_has_role(relowner, 'MEMBER') AS may FROM pg_class WHERE oid = $1::regclass", [this.sql.table]);
    if (!owned?.may || this.statistics) return;
    const table = this.sql.table;
    this.statistics = new PlannerStatistics(
      {
        analyse: async () => {
          await this.ds.query(`ANALYZE ${table}`);
          const [row] = await this.ds.query<{ rows: number }[]>("SELECT reltuples AS rows FROM pg_class WHERE oid = $1::regclass", [table]);
          return Number(row?.rows ?? 0);
        },
      },
      onError,
    );
  }

  /** Resolves once no analysis of the table runs. */
  async statisticsSettled(): Promise<void> {
    await this.statistics?.settled();
  }
}
