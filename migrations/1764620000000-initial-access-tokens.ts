// Dynamic client registration (RFC 7591): initial access tokens issued by admins. Only a hash of
// each token is kept; `uses_left` (null: unlimited) is spent by one conditional UPDATE per registration.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class InitialAccessTokens1764620000000 implements MigrationInterface {
  name = "InitialAccessTokens1764620000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "initial_access_tokens",
        columns: [
          { name: "token_hash", type: "varchar", length: "64", isPrimary: true },
          { name: "id", type: "varchar", length: "32", isUnique: true },
          { name: "created_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
          { name: "uses_left", type: "integer", isNullable: true },
          { name: "used", type: "integer", default: 0 },
        ],
      }),
    );
    await q.createIndex("initial_access_tokens", new TableIndex({ name: "idx_initial_access_tokens_expires_at", columnNames: ["expires_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("initial_access_tokens");
  }
}
