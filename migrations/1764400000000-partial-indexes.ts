// Token writes are the hot path: most artifacts have no user code, no uid, and (client credentials)
// no grant or account. Partial indexes skip those rows, so an insert updates fewer indexes.
import { type MigrationInterface, type QueryRunner, TableIndex } from "typeorm";

const COLUMNS = ["grant_id", "user_code", "uid", "account_id"];

export class PartialIndexes1764400000000 implements MigrationInterface {
  name = "PartialIndexes1764400000000";

  async up(q: QueryRunner): Promise<void> {
    for (const col of COLUMNS) {
      await q.dropIndex("oidc_payloads", `idx_oidc_payloads_${col}`);
      await q.createIndex("oidc_payloads", new TableIndex({ name: `idx_oidc_payloads_${col}`, columnNames: [col], where: `${col} IS NOT NULL` }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const col of COLUMNS) {
      await q.dropIndex("oidc_payloads", `idx_oidc_payloads_${col}`);
      await q.createIndex("oidc_payloads", new TableIndex({ name: `idx_oidc_payloads_${col}`, columnNames: [col] }));
    }
  }
}
