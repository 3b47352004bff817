// Quota reservations (issue 8): an upload reserves its room before streaming, in a transaction that
// first locks the holder's row in vault_quota_locks, so parallel uploads (on any process sharing the
// database) take turns deciding and cannot all see the same room. Reservations expire, so one left
// by a crashed process stops counting; unattached uploads stop counting after a window (by time,
// so no index change is needed on vault_files).
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class VaultReservations1764520000000 implements MigrationInterface {
  name = "VaultReservations1764520000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "vault_reservations",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "bytes", type: "bigint" },
          { name: "expires_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("vault_reservations", new TableIndex({ name: "idx_vault_reservations_account", columnNames: ["account_id", "expires_at"] }));
    await q.createIndex("vault_reservations", new TableIndex({ name: "idx_vault_reservations_expires", columnNames: ["expires_at"] }));
    await q.createTable(
      new Table({
        name: "vault_quota_locks",
        columns: [
          { name: "account_id", type: "varchar", length: "64", isPrimary: true },
          { name: "locked_at", type: "bigint" },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("vault_quota_locks");
    await q.dropTable("vault_reservations");
  }
}
