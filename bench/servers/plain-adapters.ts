// Benchmark-only: oidc-provider's adapter interface written the plain way, one table and one
// prepared statement per method, as its documentation's example adapters and most deployments do.
// The bare provider on one of these (`npm run bench:compare -- --plain`) shows what a database
// costs oidc-provider on this machine with none of Passport's code around it: the floor any
// database-backed provider starts from, against the in-memory rate the goals are set on.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Adapter, AdapterPayload } from "oidc-provider";

export interface PlainStore {
  adapter: (name: string) => Adapter;
  close(): Promise<void>;
}

const epoch = () => Math.floor(Date.now() / 1000);
/** When a payload stops mattering: its own expiry, or `expiresIn` from now. */
const expiry = (payload: AdapterPayload, expiresIn: number | undefined) => (expiresIn ? epoch() + expiresIn : (payload.exp ?? null));
/** The row's payload as oidc-provider expects it back: consumed ones say so. */
const withConsumed = (payload: AdapterPayload, consumed: unknown) => (consumed ? { ...payload, consumed: true } : payload);

const COLUMNS = "(kind text NOT NULL, id text NOT NULL, payload %JSON% NOT NULL, grant_id text, user_code text, uid text, expires_at bigint, consumed_at bigint, PRIMARY KEY (kind, id))";
const INDEXES = ["grant_id", "user_code", "uid"];

/** PostgreSQL through a pool of 10 (as Passport's), jsonb payloads, named prepared statements. */
export async function plainPostgres(url: string): Promise<PlainStore> {
  const schema = `plain_${crypto.randomBytes(6).toString("hex")}`;
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE oidc ${COLUMNS.replace("%JSON%", "jsonb")}`);
  for (const c of INDEXES) await pool.query(`CREATE INDEX ON oidc (${c}) WHERE ${c} IS NOT NULL`);
  const q = async (name: string, text: string, values: unknown[]) => (await pool.query({ name, text, values })).rows;
  const select = (column: string) => async (kind: string, value: string) => {
    const [row] = await q(`find-${column}`, `SELECT payload, consumed_at FROM oidc WHERE kind = $1 AND ${column} = $2`, [kind, value]);
    return row ? withConsumed(row.payload, row.consumed_at) : undefined;
  };
  const byId = select("id");
  const byUid = select("uid");
  const byUserCode = select("user_code");
  const adapter = (kind: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      await q(
        "upsert",
        "INSERT INTO oidc (kind, id, payload, grant_id, user_code, uid, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) " +
          "ON CONFLICT (kind, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at",
        [kind, id, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiry(payload, expiresIn)],
      );
    },
    find: (id) => byId(kind, id),
    findByUid: (uid) => byUid(kind, uid),
    findByUserCode: (code) => byUserCode(kind, code),
    consume: async (id) => void (await q("consume", "UPDATE oidc SET consumed_at = $3 WHERE kind = $1 AND id = $2", [kind, id, epoch()])),
    destroy: async (id) => void (await q("destroy", "DELETE FROM oidc WHERE kind = $1 AND id = $2", [kind, id])),
    revokeByGrantId: async (grantId) => void (await q("revoke", "DELETE FROM oidc WHERE grant_id = $1", [grantId])),
  });
  return {
    adapter,
    close: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/** SQLite in a temporary file through better-sqlite3, with Passport's pragmas (WAL, synchronous = NORMAL). */
export function plainSqlite(): PlainStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-bench-plain-"));
  const db = new Database(path.join(dir, "oidc.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE oidc ${COLUMNS.replace("%JSON%", "text")}`);
  for (const c of INDEXES) db.exec(`CREATE INDEX oidc_${c} ON oidc (${c}) WHERE ${c} IS NOT NULL`);
  const upsert = db.prepare(
    "INSERT INTO oidc (kind, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) " +
      "ON CONFLICT (kind, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at",
  );
  const finders = Object.fromEntries(
    ["id", "uid", "user_code"].map((c) => [c, db.prepare(`SELECT payload, consumed_at FROM oidc WHERE kind = ? AND ${c} = ?`)]),
  );
  const find = (column: string, kind: string, value: string) => {
    const row = finders[column]!.get(kind, value) as { payload: string; consumed_at: number | null } | undefined;
    return row ? withConsumed(JSON.parse(row.payload) as AdapterPayload, row.consumed_at) : undefined;
  };
  const consume = db.prepare("UPDATE oidc SET consumed_at = ? WHERE kind = ? AND id = ?");
  const destroy = db.prepare("DELETE FROM oidc WHERE kind = ? AND id = ?");
  const revoke = db.prepare("DELETE FROM oidc WHERE grant_id = ?");
  const adapter = (kind: string): Adapter => ({
    upsert: async (id, payload, expiresIn) =>
      void upsert.run(kind, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiry(payload, expiresIn)),
    find: async (id) => find("id", kind, id),
    findByUid: async (uid) => find("uid", kind, uid),
    findByUserCode: async (code) => find("user_code", kind, code),
    consume: async (id) => void consume.run(epoch(), kind, id),
    destroy: async (id) => void destroy.run(kind, id),
    revokeByGrantId: async (grantId) => void revoke.run(grantId),
  });
  return {
    adapter,
    close: async () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
