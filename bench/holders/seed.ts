// Bulk seeding for the holders benchmark: N holders, each with an account, an app session and an
// oidc-provider session, two
// vault items (personal details and a passport), one scan, a grant and an access token for the
// benchmark's relying party, the stored share of that grant and one share-log line. One INSERT ...
// SELECT per table over a number series (generate_series on PostgreSQL, a recursive CTE on
// SQLite, in one transaction), so a million holders take minutes, not hours. The values are
// placeholders of realistic size: no seeded holder can sign in, but every row sits in the tables
// and indexes the measured holder's queries walk.
import type { DataSource } from "typeorm";

/** Text of about `n` characters (ciphertexts and keys of realistic size). */
const filler = (n: number) => "x".repeat(n);

interface Table {
  name: string;
  columns: string[];
  /** One SQL expression per column, in terms of the series value `i` and the constants. */
  values: (c: Constants) => string[];
}

interface Constants {
  now: number;
  later: number;
  clientId: string;
  kdf: string;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

const TABLES: Table[] = [
  {
    name: "accounts",
    columns: ["id", "email", "email_normalized", "auth_hash", "kdf", "wrapped_vault_key", "recovery_auth_hash", "recovery_wrapped_vault_key", "is_admin", "created_at", "updated_at", "password_changed_at"],
    values: (c) => [`'seed-' || i`, `'seed-' || i || '@seed.test'`, `'seed-' || i || '@seed.test'`, lit(`$argon2id$v=19$m=19456,t=2,p=1$${filler(22)}$${filler(43)}`), lit(c.kdf), lit(filler(120)), lit(`$argon2id$v=19$m=19456,t=2,p=1$${filler(22)}$${filler(43)}`), lit(filler(120)), "false", `${c.now}`, `${c.now}`, `${c.now}`],
  },
  {
    name: "app_sessions",
    columns: ["id_hash", "account_id", "auth_time", "created_at", "expires_at"],
    values: (c) => [`'sess-' || i`, `'seed-' || i`, `${c.now}`, `${c.now}`, `${c.later}`],
  },
  {
    name: "vault_items",
    columns: ["id", "account_id", "type", "version", "ciphertext", "wrapped_key", "size", "verification", "errors", "created_at", "updated_at"],
    values: (c) => [`'pd-' || i`, `'seed-' || i`, `'personal_details'`, "1", lit(filler(400)), lit(filler(120)), "400", `'unverified'`, "NULL", `${c.now}`, `${c.now}`],
  },
  {
    name: "vault_items",
    columns: ["id", "account_id", "type", "version", "ciphertext", "wrapped_key", "size", "verification", "errors", "created_at", "updated_at"],
    values: (c) => [`'pp-' || i`, `'seed-' || i`, `'passport'`, "1", lit(filler(300)), lit(filler(120)), "300", `'unverified'`, "NULL", `${c.now}`, `${c.now}`],
  },
  {
    name: "vault_files",
    columns: ["id", "account_id", "item_id", "blob_hash", "size", "wrapped_key", "created_at"],
    values: (c) => [`'file-' || i`, `'seed-' || i`, `'pp-' || i`, lit("0".repeat(64)), "200000", lit(filler(120)), `${c.now}`],
  },
  {
    name: "oidc_payloads",
    columns: ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "client_id", "expires_at", "consumed_at"],
    values: (c) => [`'Grant'`, `'grant-' || i`, `'{"accountId":"seed-' || i || '","clientId":"${c.clientId}","openid":{"scope":"openid passport:passport"},"kind":"Grant"}'`, `'grant-' || i`, "NULL", "NULL", `'seed-' || i`, lit(c.clientId), `${c.later}`, "NULL"],
  },
  {
    name: "oidc_payloads",
    columns: ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "client_id", "expires_at", "consumed_at"],
    values: (c) => [`'AccessToken'`, `'at-' || i`, `'{"accountId":"seed-' || i || '","clientId":"${c.clientId}","grantId":"grant-' || i || '","scope":"openid passport:passport","kind":"AccessToken"}'`, `'grant-' || i`, "NULL", "NULL", `'seed-' || i`, lit(c.clientId), `${c.later}`, "NULL"],
  },
  {
    name: "oidc_payloads",
    columns: ["kind", "id", "payload", "grant_id", "user_code", "uid", "account_id", "client_id", "expires_at", "consumed_at"],
    values: (c) => [`'Session'`, `'sess-' || i`, `'{"accountId":"seed-' || i || '","uid":"uid-' || i || '","kind":"Session"}'`, "NULL", "NULL", `'uid-' || i`, `'seed-' || i`, "NULL", `${c.later}`, "NULL"],
  },
  {
    name: "shares",
    columns: ["grant_id", "account_id", "client_id", "jwe", "types", "file_ids", "created_at"],
    values: (c) => [`'grant-' || i`, `'seed-' || i`, lit(c.clientId), lit(filler(1500)), `'["passport"]'`, `'["file-' || i || '"]'`, `${c.now}`],
  },
  {
    name: "share_log",
    columns: ["id", "account_id", "client_id", "client_name", "types", "created_at"],
    values: (c) => [`'log-' || i`, `'seed-' || i`, lit(c.clientId), `'Bench RP'`, `'["passport"]'`, `${c.now}`],
  },
];

/** Inserts `count` holders; returns the seconds taken. `kdf` is the measured holder's KDF JSON. */
export async function seedHolders(ds: DataSource, count: number, opts: { clientId: string; kdf: string }): Promise<number> {
  const t0 = performance.now();
  const c: Constants = { now: Date.now(), later: Date.now() + 30 * 86_400_000, clientId: opts.clientId, kdf: opts.kdf };
  const pg = ds.options.type === "postgres";
  const statements = TABLES.map((t) => {
    const select = `SELECT ${t.values(c).join(", ")}`;
    return pg
      ? `INSERT INTO ${t.name} (${t.columns.join(", ")}) ${select} FROM generate_series(1, ${count}) AS s(i)`
      : `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${count}) INSERT INTO ${t.name} (${t.columns.join(", ")}) ${select} FROM s`;
  });
  if (pg) {
    for (const sql of statements) await ds.query(sql);
    await ds.query("ANALYZE");
  } else {
    const db = (ds.driver as unknown as { databaseConnection: { exec(sql: string): void } }).databaseConnection;
    db.exec(`BEGIN; ${statements.join(";\n")}; COMMIT; ANALYZE;`);
  }
  return (performance.now() - t0) / 1000;
}
