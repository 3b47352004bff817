// One table of atomic attempt counters (src/db/attempt-counters.ts) for every limit: sign-in,
// recovery, password checks, sign-ups, email-code sends. It replaces login_failures, whose
// read-then-write use let parallel requests pass the limit together; its rows are transient
// (failures are forgotten after a quiet period), so nothing is carried over.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class AttemptCounters1764500000000 implements MigrationInterface {
  name = "AttemptCounters1764500000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "attempt_counters",
        columns: [
          { name: "key", type: "varchar", length: "400", isPrimary: true },
          { name: "hits", type: "integer" },
          { name: "blocked_until", type: "bigint" },
          { name: "expires_at", type: "bigint" },
        ],
      }),
    );
    await q.createIndex("attempt_counters", new TableIndex({ name: "idx_attempt_counters_expires", columnNames: ["expires_at"] }));
    await q.dropTable("login_failures");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "login_failures",
        columns: [
          { name: "key", type: "varchar", length: "400", isPrimary: true },
          { name: "failures", type: "integer" },
          { name: "last_failure_at", type: "bigint" },
          { name: "locked_until", type: "bigint" },
        ],
      }),
    );
    await q.dropTable("attempt_counters");
  }
}
