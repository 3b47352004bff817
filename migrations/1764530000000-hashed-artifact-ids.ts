// oidc_payloads kept live bearer tokens verbatim: access and refresh tokens, codes and session ids
// were its primary keys (and in each payload's `jti`), so a copy of the database replayed them.
// From here on the id column holds the SHA-256 of the id (base64url) and the payload loses every
// copy of it (src/db/oidc-store.ts). This converts the rows already there, so signed-in people and
// issued tokens keep working across the upgrade. It also adds `client_id`, which lets a lookup
// refuse a disabled client's artifacts and a client's deletion remove them all.
//
// The conversion is written out here rather than imported: a migration must do tomorrow what it
// did today, whatever becomes of the store. It is the same as oidc-store.ts's storedId/storedPayload.
// `ALTER TABLE ... ADD COLUMN` is plain SQL on both databases; TypeORM's addColumn would rebuild the
// SQLite table and its partial indexes.
import crypto from "node:crypto";
import type { MigrationInterface, QueryRunner } from "typeorm";

const PLAIN_ID_KINDS = new Set(["Grant"]);
const ID_MARK = "\u0001";

const str = (v: unknown) => (typeof v === "string" ? v : null);

function convert(kind: string, id: string, text: string): { id: string; payload: string; clientId: string | null } {
  const { jti: _jti, ...rest } = JSON.parse(text) as Record<string, unknown>;
  const session = rest.session as Record<string, unknown> | undefined;
  if (session && typeof session === "object" && "cookie" in session) {
    const { cookie: _cookie, ...kept } = session;
    rest.session = kept;
  }
  const json = JSON.stringify(rest);
  const plain = PLAIN_ID_KINDS.has(kind);
  return {
    id: plain ? id : crypto.createHash("sha256").update(id).digest("base64url"),
    payload: plain || id.length < 16 ? json : json.split(id).join(ID_MARK),
    clientId: str(rest.clientId) ?? str((rest.params as Record<string, unknown> | undefined)?.client_id),
  };
}

export class HashedArtifactIds1764530000000 implements MigrationInterface {
  name = "HashedArtifactIds1764530000000";

  async up(q: QueryRunner): Promise<void> {
    const p = q.connection.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
    const t = (name: string) => q.connection.driver.escape(name);
    const table = t("oidc_payloads");
    await q.query(`ALTER TABLE ${table} ADD COLUMN ${t("client_id")} varchar(255)`);
    // Expired rows are never read again: drop them instead of converting them.
    await q.query(`DELETE FROM ${table} WHERE ${t("expires_at")} < ${p(1)}`, [Date.now()]);
    const keys = (await q.query(`SELECT ${t("kind")} AS kind, ${t("id")} AS id FROM ${table}`)) as { kind: string; id: string }[];
    for (const key of keys) {
      const [row] = (await q.query(`SELECT ${t("payload")} AS payload FROM ${table} WHERE ${t("kind")} = ${p(1)} AND ${t("id")} = ${p(2)}`, [key.kind, key.id])) as { payload: string }[];
      if (!row) continue;
      const c = convert(key.kind, key.id, row.payload);
      await q.query(
        `UPDATE ${table} SET ${t("id")} = ${p(1)}, ${t("payload")} = ${p(2)}, ${t("client_id")} = ${p(3)} WHERE ${t("kind")} = ${p(4)} AND ${t("id")} = ${p(5)}`,
        [c.id, c.payload, c.clientId, key.kind, key.id],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // A hash cannot be turned back into its token: the older version could find none of these rows.
    // Sessions, tokens and codes are dropped (people sign in again, clients ask again); grants stay,
    // with their `jti` back in the payload (their ids were never hashed).
    const p = q.connection.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
    const t = (name: string) => q.connection.driver.escape(name);
    const table = t("oidc_payloads");
    await q.query(`DELETE FROM ${table} WHERE ${t("kind")} <> ${p(1)}`, ["Grant"]);
    const grants = (await q.query(`SELECT ${t("id")} AS id, ${t("payload")} AS payload FROM ${table}`)) as { id: string; payload: string }[];
    for (const g of grants) {
      const payload = JSON.stringify({ jti: g.id, ...(JSON.parse(g.payload) as Record<string, unknown>) });
      await q.query(`UPDATE ${table} SET ${t("payload")} = ${p(1)} WHERE ${t("kind")} = ${p(2)} AND ${t("id")} = ${p(3)}`, [payload, "Grant", g.id]);
    }
    await q.query(`ALTER TABLE ${table} DROP COLUMN ${t("client_id")}`);
  }
}
