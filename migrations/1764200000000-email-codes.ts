// One-time codes for verifying the vault's email item.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class EmailCodes1764200000000 implements MigrationInterface {
  name = "EmailCodes1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "email_codes",
        columns: [
          { name: "account_id", type: "varchar", length: "64", isPrimary: true },
          { name: "email_hash", type: "varchar", length: "64", isPrimary: true },
          { name: "code_hash", type: "varchar", length: "64" },
          { name: "attempts", type: "integer" },
          { name: "sent_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("email_codes", new TableIndex({ name: "idx_email_codes_expires_at", columnNames: ["expires_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("email_codes");
  }
}
