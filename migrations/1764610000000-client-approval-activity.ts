// Issue 12: an approval state and a stated purpose per client (Passport scopes may wait for an
// administrator), a change log of every registration change (kept when the client is deleted: it
// is the audit trail), and per-day activity counters (sign-ins, shares by type, error reports).
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from "typeorm";

export class ClientApprovalActivity1764610000000 implements MigrationInterface {
  name = "ClientApprovalActivity1764610000000";

  async up(q: QueryRunner): Promise<void> {
    // Existing clients were registered by an admin: approved.
    await q.addColumns("clients", [
      new TableColumn({ name: "approval", type: "varchar", length: "16", default: "'approved'" }),
      new TableColumn({ name: "purpose", type: "text", isNullable: true }),
      new TableColumn({ name: "approval_reason", type: "text", isNullable: true }),
    ]);
    await q.createTable(
      new Table({
        name: "client_changes",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "client_id", type: "varchar", length: "255" },
          { name: "at", type: "bigint" },
          { name: "actor_account_id", type: "varchar", length: "64", isNullable: true },
          { name: "via", type: "varchar", length: "16" },
          { name: "action", type: "varchar", length: "32" },
          { name: "fields", type: "text" },
        ],
      }),
    );
    await q.createIndex("client_changes", new TableIndex({ name: "idx_client_changes_client_at", columnNames: ["client_id", "at"] }));
    await q.createTable(
      new Table({
        name: "client_daily_stats",
        columns: [
          { name: "client_id", type: "varchar", length: "255", isPrimary: true },
          { name: "day", type: "varchar", length: "10", isPrimary: true },
          { name: "kind", type: "varchar", length: "64", isPrimary: true },
          { name: "count", type: "integer" },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("client_daily_stats");
    await q.dropTable("client_changes");
    await q.dropColumn("clients", "approval_reason");
    await q.dropColumn("clients", "purpose");
    await q.dropColumn("clients", "approval");
  }
}
