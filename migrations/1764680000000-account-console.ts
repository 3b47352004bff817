// The account console (issue 11): what the sessions list shows (address, device, last seen) and
// the provider session a Passport session opened, the sign-in history, passkeys as a second
// factor and their one-time WebAuthn challenges.
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from "typeorm";

export class AccountConsole1764680000000 implements MigrationInterface {
  name = "AccountConsole1764680000000";

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns("app_sessions", [
      new TableColumn({ name: "ip", type: "varchar", length: "64", isNullable: true }),
      new TableColumn({ name: "user_agent", type: "varchar", length: "300", isNullable: true }),
      new TableColumn({ name: "last_seen_at", type: "bigint", isNullable: true }),
      new TableColumn({ name: "provider_session", type: "varchar", length: "64", isNullable: true }),
    ]);
    await q.createTable(
      new Table({
        name: "sign_in_events",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "at", type: "bigint" },
          { name: "outcome", type: "varchar", length: "16" },
          { name: "method", type: "varchar", length: "16" },
          { name: "ip", type: "varchar", length: "64" },
          { name: "user_agent", type: "varchar", length: "300", isNullable: true },
        ],
      }),
    );
    await q.createIndex("sign_in_events", new TableIndex({ name: "idx_sign_in_events_account_at", columnNames: ["account_id", "at"] }));
    await q.createIndex("sign_in_events", new TableIndex({ name: "idx_sign_in_events_at", columnNames: ["at"] }));
    await q.createTable(
      new Table({
        name: "passkeys",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "credential_id", type: "varchar", length: "1400", isUnique: true },
          { name: "public_key", type: "text" },
          { name: "counter", type: "bigint" },
          { name: "transports", type: "varchar", length: "200" },
          { name: "name", type: "varchar", length: "64" },
          { name: "created_at", type: "bigint" },
          { name: "last_used_at", type: "bigint", isNullable: true },
        ],
      }),
    );
    await q.createIndex("passkeys", new TableIndex({ name: "idx_passkeys_account", columnNames: ["account_id"] }));
    await q.createTable(
      new Table({
        name: "webauthn_challenges",
        columns: [
          { name: "id_hash", type: "varchar", length: "64", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "purpose", type: "varchar", length: "16" },
          { name: "challenge", type: "varchar", length: "128" },
          { name: "expires_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("webauthn_challenges", new TableIndex({ name: "idx_webauthn_challenges_expires_at", columnNames: ["expires_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("webauthn_challenges");
    await q.dropTable("passkeys");
    await q.dropTable("sign_in_events");
    for (const c of ["provider_session", "last_seen_at", "user_agent", "ip"]) await q.dropColumn("app_sessions", c);
  }
}
