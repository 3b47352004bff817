// The playground becomes a relying party in the visitor's browser: each browser registers a
// short-lived public client for a key pair only it holds. This table tracks their expiry (the
// limit on registrations is an attempt counter). The old server-side playground, whose private key
// was a server secret, is removed with everything shared with it: a copy of the database must no
// longer open those payloads.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

const LEGACY_CLIENT = "passport-playground";
const LEGACY_KEY = "playground-enc-key";

export class PlaygroundClients1764570000000 implements MigrationInterface {
  name = "PlaygroundClients1764570000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "playground_clients",
        columns: [
          { name: "client_id", type: "varchar", length: "255", isPrimary: true },
          { name: "created_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("playground_clients", new TableIndex({ name: "idx_playground_clients_expires", columnNames: ["expires_at"] }));

    const p = q.connection.options.type === "postgres" ? (i: number) => `$${i}` : () => "?";
    const t = (name: string) => q.connection.driver.escape(name);
    await q.query(`DELETE FROM ${t("shares")} WHERE ${t("client_id")} = ${p(1)}`, [LEGACY_CLIENT]);
    // Grants, tokens and codes name their client only inside the payload JSON.
    await q.query(`DELETE FROM ${t("oidc_payloads")} WHERE ${t("payload")} LIKE ${p(1)}`, [`%"clientId":"${LEGACY_CLIENT}"%`]);
    await q.query(`DELETE FROM ${t("clients")} WHERE ${t("client_id")} = ${p(1)}`, [LEGACY_CLIENT]);
    await q.query(`DELETE FROM ${t("server_keys")} WHERE ${t("kid")} = ${p(1)}`, [LEGACY_KEY]);
  }

  async down(q: QueryRunner): Promise<void> {
    // The legacy client and its key are gone for good; an older version registers them again at start.
    await q.dropTable("playground_clients");
  }
}
