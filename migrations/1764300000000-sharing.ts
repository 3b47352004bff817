// Sharing: the sealed payload per grant and the holder's share log.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class Sharing1764300000000 implements MigrationInterface {
  name = "Sharing1764300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "shares",
        columns: [
          { name: "grant_id", type: "varchar", length: "255", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "client_id", type: "varchar", length: "255" },
          { name: "jwe", type: "text" },
          { name: "types", type: "text" },
          { name: "file_ids", type: "text" },
          { name: "created_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("shares", new TableIndex({ name: "idx_shares_account", columnNames: ["account_id"] }));
    await q.createTable(
      new Table({
        name: "share_log",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "client_id", type: "varchar", length: "255" },
          { name: "client_name", type: "varchar", length: "255" },
          { name: "types", type: "text" },
          { name: "created_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("share_log", new TableIndex({ name: "idx_share_log_account", columnNames: ["account_id"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("share_log");
    await q.dropTable("shares");
  }
}
