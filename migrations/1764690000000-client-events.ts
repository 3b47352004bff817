// Issue 11: a client's recent events for its page (sign-ins, shares, error reports, refused
// authorizations and token requests), beside the per-day counters of issue 12. Nothing that names
// a holder is kept: time, kind and a short detail (document types, an OAuth error code).
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class ClientEvents1764690000000 implements MigrationInterface {
  name = "ClientEvents1764690000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "client_events",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "client_id", type: "varchar", length: "255" },
          { name: "at", type: "bigint" },
          { name: "kind", type: "varchar", length: "16" },
          { name: "detail", type: "text" },
        ],
      }),
    );
    await q.createIndex("client_events", new TableIndex({ name: "idx_client_events_client_at", columnNames: ["client_id", "at"] }));
    await q.createIndex("client_events", new TableIndex({ name: "idx_client_events_at", columnNames: ["at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("client_events");
  }
}
