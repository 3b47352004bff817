// Who becomes admin (finding 8): `instance_flags` holds one-time claims such as "the first
// account was made", won by exactly one INSERT (primary key), and `admin_links` the hashed
// one-time tokens `passport admin-link` issues.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";

export class AdminClaims1764510000000 implements MigrationInterface {
  name = "AdminClaims1764510000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "instance_flags",
        columns: [
          { name: "name", type: "varchar", length: "64", isPrimary: true },
          { name: "value", type: "varchar", length: "255", isNullable: true },
          { name: "created_at", type: "bigint" },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "admin_links",
        columns: [
          { name: "token_hash", type: "varchar", length: "64", isPrimary: true },
          { name: "created_at", type: "bigint" },
          { name: "expires_at", type: "bigint" },
          { name: "used_at", type: "bigint", isNullable: true },
          { name: "used_by", type: "varchar", length: "64", isNullable: true },
        ],
      }),
    );
    await q.createIndex("admin_links", new TableIndex({ name: "idx_admin_links_expires_at", columnNames: ["expires_at"] }));
    // An instance that already has accounts has had its first one: nobody signing up later
    // becomes admin by being "first".
    const [{ n }] = (await q.query(`SELECT COUNT(*) AS n FROM accounts`)) as { n: string | number }[];
    if (Number(n) > 0) {
      await q.manager.createQueryBuilder().insert().into("instance_flags").values({ name: "first_account", value: null, created_at: Date.now() }).execute();
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("admin_links");
    await q.dropTable("instance_flags");
  }
}
