// The document vault: sealed items, sealed files, and the blob table used when blobs are kept in
// the database (BLOB_STORE=database). Same portable Table API as the initial migration.
import { type MigrationInterface, type QueryRunner, Table, TableIndex, TableUnique } from "typeorm";

export class Vault1764100000000 implements MigrationInterface {
  name = "Vault1764100000000";

  async up(q: QueryRunner): Promise<void> {
    const binary = q.connection.driver.options.type === "postgres" ? "bytea" : "blob";
    await q.createTable(
      new Table({
        name: "vault_items",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "type", type: "varchar", length: "40" },
          { name: "version", type: "integer" },
          { name: "ciphertext", type: "text" },
          { name: "wrapped_key", type: "varchar", length: "200" },
          { name: "size", type: "integer" },
          { name: "verification", type: "varchar", length: "20", default: "'unverified'" },
          { name: "errors", type: "text", isNullable: true },
          { name: "created_at", type: "bigint" },
          { name: "updated_at", type: "bigint" },
        ],
        uniques: [new TableUnique({ name: "uq_vault_items_account_type", columnNames: ["account_id", "type"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "vault_files",
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "account_id", type: "varchar", length: "64" },
          { name: "item_id", type: "varchar", length: "36", isNullable: true },
          { name: "blob_hash", type: "varchar", length: "64" },
          { name: "size", type: "bigint" },
          { name: "wrapped_key", type: "varchar", length: "200" },
          { name: "created_at", type: "bigint" },
        ],
      }),
    );
    for (const col of ["account_id", "item_id", "blob_hash"]) {
      await q.createIndex("vault_files", new TableIndex({ name: `idx_vault_files_${col}`, columnNames: [col] }));
    }
    await q.createTable(
      new Table({
        name: "blobs",
        columns: [
          { name: "hash", type: "varchar", length: "64", isPrimary: true },
          { name: "data", type: binary },
          { name: "size", type: "integer" },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ["blobs", "vault_files", "vault_items"]) await q.dropTable(t);
  }
}
