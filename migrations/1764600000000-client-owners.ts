// Developer console: which accounts own which clients. A client registered by an admin (page or
// CLI) has no owner row and is managed on the admin page only; one registered in the console has
// its developer as first owner, who may add co-owners.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class ClientOwners1764600000000 implements MigrationInterface {
  name = "ClientOwners1764600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "client_owners",
        columns: [
          { name: "client_id", type: "varchar", length: "255", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64", isPrimary: true },
          { name: "added_at", type: "bigint" },
        ],
      }),
    );
    // "The clients of this account" (the console's list, the per-account count).
    await q.createIndex("client_owners", new TableIndex({ name: "idx_client_owners_account", columnNames: ["account_id"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("client_owners");
  }
}
