// Issue 9: verifiers, holders' public keys, sealed submissions, sealed credentials and Token Status
// Lists. The server keeps only public keys, JWEs it cannot open, and the state of each step.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

const id = { name: "id", type: "varchar", length: "36", isPrimary: true };
const ref = (name: string, nullable = false) => ({ name, type: "varchar", length: "64", isNullable: nullable });
const time = (name: string, nullable = false) => ({ name, type: "bigint", isNullable: nullable });
const text = (name: string, nullable = false) => ({ name, type: "text", isNullable: nullable });

export class Verifiers1764700000000 implements MigrationInterface {
  name = "Verifiers1764700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "holder_keys",
        columns: [{ ...ref("account_id"), isPrimary: true }, text("signing_jwk"), text("encryption_jwk"), text("wrapped"), time("created_at")],
      }),
    );
    await q.createTable(
      new Table({
        name: "verifiers",
        columns: [
          id,
          { name: "slug", type: "varchar", length: "64", isUnique: true },
          { name: "name", type: "varchar", length: "200" },
          { name: "trust_framework", type: "varchar", length: "64" },
          { name: "assurance_level", type: "varchar", length: "64" },
          text("evidence_methods"),
          { name: "external_issuer", type: "varchar", length: "500", isNullable: true },
          text("signing_jwk", true),
          text("encryption_jwk", true),
          { name: "status", type: "varchar", length: "16", default: "'active'" },
          time("created_at"),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "verifier_members",
        columns: [
          { name: "verifier_id", type: "varchar", length: "36", isPrimary: true },
          { ...ref("account_id"), isPrimary: true },
          text("sealed_keys", true),
          time("added_at"),
        ],
      }),
    );
    await q.createIndex("verifier_members", new TableIndex({ name: "idx_verifier_members_account", columnNames: ["account_id"] }));
    await q.createTable(
      new Table({
        name: "submissions",
        columns: [
          id,
          ref("account_id"),
          { name: "verifier_id", type: "varchar", length: "36" },
          text("items"),
          text("sealed"),
          text("file_ids"),
          { name: "state", type: "varchar", length: "16" },
          text("reasons", true),
          ref("decided_by", true),
          time("decided_at", true),
          time("created_at"),
          time("updated_at"),
        ],
      }),
    );
    await q.createIndex("submissions", new TableIndex({ name: "idx_submissions_account", columnNames: ["account_id"] }));
    await q.createIndex("submissions", new TableIndex({ name: "idx_submissions_verifier_state", columnNames: ["verifier_id", "state", "created_at"] }));
    // One open submission per item and verifier: a row per item of an open submission, its primary
    // key the pair. Two parallel submits both try to insert; the database lets exactly one in.
    await q.createTable(
      new Table({
        name: "submission_open_items",
        columns: [
          { name: "item_id", type: "varchar", length: "36", isPrimary: true },
          { name: "verifier_id", type: "varchar", length: "36", isPrimary: true },
          { name: "submission_id", type: "varchar", length: "36" },
        ],
      }),
    );
    await q.createIndex("submission_open_items", new TableIndex({ name: "idx_submission_open_items_submission", columnNames: ["submission_id"] }));
    await q.createTable(
      new Table({
        name: "status_lists",
        columns: [
          id,
          { name: "verifier_id", type: "varchar", length: "36" },
          { name: "size", type: "integer" },
          { name: "next_index", type: "integer" },
          text("token"),
          { name: "version", type: "integer" },
          time("updated_at"),
        ],
      }),
    );
    await q.createIndex("status_lists", new TableIndex({ name: "idx_status_lists_verifier", columnNames: ["verifier_id"] }));
    // Indices a submission reserved (idempotent: the same submission gets the same indices back).
    await q.createTable(
      new Table({
        name: "status_reservations",
        columns: [
          { name: "submission_id", type: "varchar", length: "36", isPrimary: true },
          { name: "item_id", type: "varchar", length: "36", isPrimary: true },
          { name: "status_list_id", type: "varchar", length: "36" },
          { name: "status_index", type: "integer" },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "credentials",
        columns: [
          id,
          ref("account_id"),
          { name: "submission_id", type: "varchar", length: "36" },
          { name: "verifier_id", type: "varchar", length: "36" },
          { name: "item_id", type: "varchar", length: "36" },
          { name: "item_version", type: "integer" },
          { name: "doc_type", type: "varchar", length: "40" },
          text("sealed"),
          { name: "status_list_id", type: "varchar", length: "36" },
          { name: "status_index", type: "integer" },
          text("verification"),
          time("issued_at"),
          time("expires_at", true),
          time("revoked_at", true),
        ],
      }),
    );
    await q.createIndex("credentials", new TableIndex({ name: "idx_credentials_account", columnNames: ["account_id"] }));
    await q.createIndex("credentials", new TableIndex({ name: "idx_credentials_verifier", columnNames: ["verifier_id"] }));
    await q.createIndex("credentials", new TableIndex({ name: "idx_credentials_status", columnNames: ["status_list_id", "status_index"], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ["credentials", "status_reservations", "status_lists", "submission_open_items", "submissions", "verifier_members", "verifiers", "holder_keys"]) await q.dropTable(t);
  }
}
