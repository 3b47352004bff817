// Issue 9: Passport issues the email attestation itself, as an SD-JWT VC like a verifier's. Its
// Token Status Lists live in `status_lists` with no verifier (verifier_id NULL: Passport's own),
// and `email_credentials` remembers which status entry each issued email credential has, for
// whom, so that it can be revoked (item changed or deleted, account deleted). The credential
// itself is not kept: the holder's browser seals it into the email item.
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from "typeorm";

export class PassportIssuer1764760000000 implements MigrationInterface {
  name = "PassportIssuer1764760000000";

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn("status_lists", "verifier_id", new TableColumn({ name: "verifier_id", type: "varchar", length: "36", isNullable: true }));
    await q.createTable(
      new Table({
        name: "email_credentials",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "status_list_id", type: "varchar", length: "36" },
          { name: "status_index", type: "integer" },
          { name: "issued_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
          { name: "attached_at", type: "bigint", isNullable: true },
          { name: "revoked_at", type: "bigint", isNullable: true },
        ],
      }),
    );
    await q.createIndex("email_credentials", new TableIndex({ name: "idx_email_credentials_account", columnNames: ["account_id"] }));
    await q.createIndex("email_credentials", new TableIndex({ name: "idx_email_credentials_status", columnNames: ["status_list_id", "status_index"], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("email_credentials");
    await q.query(`DELETE FROM ${q.connection.driver.escape("status_lists")} WHERE ${q.connection.driver.escape("verifier_id")} IS NULL`);
    await q.changeColumn("status_lists", "verifier_id", new TableColumn({ name: "verifier_id", type: "varchar", length: "36" }));
  }
}
