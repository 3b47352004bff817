// The initial schema, written with TypeORM's portable Table API so one migration serves SQLite
// and PostgreSQL. Times are epoch milliseconds (bigint).
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

const ms = (name: string, nullable = false) => ({ name, type: "bigint", isNullable: nullable });
const str = (name: string, length: number, nullable = false) => ({
  name,
  type: "varchar",
  length: String(length),
  isNullable: nullable,
});

export class Initial1764000000000 implements MigrationInterface {
  name = "Initial1764000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "oidc_payloads",
        columns: [
          { ...str("kind", 64), isPrimary: true },
          { ...str("id", 255), isPrimary: true },
          { name: "payload", type: "text" },
          str("grant_id", 255, true),
          str("user_code", 255, true),
          str("uid", 255, true),
          str("account_id", 64, true),
          ms("expires_at", true),
          ms("consumed_at", true),
        ],
      }),
    );
    for (const col of ["grant_id", "user_code", "uid", "account_id", "expires_at"]) {
      await q.createIndex("oidc_payloads", new TableIndex({ name: `idx_oidc_payloads_${col}`, columnNames: [col] }));
    }
    await q.createTable(
      new Table({
        name: "clients",
        columns: [
          { ...str("client_id", 255), isPrimary: true },
          str("name", 255),
          { name: "metadata", type: "text" },
          { name: "enabled", type: "boolean", default: true },
          ms("created_at"),
          ms("updated_at"),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "accounts",
        columns: [
          { ...str("id", 64), isPrimary: true },
          str("email", 320),
          { ...str("email_normalized", 320), isUnique: true },
          str("auth_hash", 255),
          { name: "kdf", type: "text" },
          { name: "wrapped_vault_key", type: "text" },
          str("recovery_auth_hash", 255),
          { name: "recovery_wrapped_vault_key", type: "text" },
          { name: "is_admin", type: "boolean", default: false },
          ms("created_at"),
          ms("updated_at"),
          ms("password_changed_at"),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "app_sessions",
        columns: [
          { ...str("id_hash", 64), isPrimary: true },
          str("account_id", 64),
          ms("auth_time"),
          ms("created_at"),
          ms("expires_at"),
        ],
      }),
    );
    await q.createIndex("app_sessions", new TableIndex({ name: "idx_app_sessions_account", columnNames: ["account_id"] }));
    await q.createIndex("app_sessions", new TableIndex({ name: "idx_app_sessions_expires_at", columnNames: ["expires_at"] }));
    await q.createTable(
      new Table({
        name: "login_failures",
        columns: [
          { ...str("key", 400), isPrimary: true },
          { name: "failures", type: "integer" },
          ms("last_failure_at"),
          ms("locked_until"),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "server_keys",
        columns: [
          { ...str("kid", 128), isPrimary: true },
          str("use", 32),
          str("alg", 32),
          str("status", 16),
          { name: "public_jwk", type: "text", isNullable: true },
          { name: "private_data", type: "text" },
          ms("created_at"),
          ms("retired_at", true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ["server_keys", "login_failures", "app_sessions", "accounts", "clients", "oidc_payloads"]) {
      await q.dropTable(t);
    }
  }
}
