// A change counter per cached table, kept by the database itself: triggers bump it on every insert,
// update or delete, whoever writes (this server, another process, the CLI, SQL by hand). A process
// may cache rows of such a table only while the counter is unchanged (src/db/change-versions.ts).
// On PostgreSQL the trigger also sends a NOTIFY at commit, so processes need not read the counter
// on every request. Only `clients` is counted: it is the only table the server caches.
import { type MigrationInterface, type QueryRunner, Table } from "typeorm";

export const COUNTED_TABLES = ["clients"];
/** The NOTIFY channel; the payload is "<schema>.<table>", so schemas sharing a database stay apart. */
export const CHANGE_CHANNEL = "passport_changes";

export class ChangeVersions1764630000000 implements MigrationInterface {
  name = "ChangeVersions1764630000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "change_versions",
        columns: [
          { name: "name", type: "varchar", length: "64", isPrimary: true },
          { name: "version", type: "bigint", default: 0 },
        ],
      }),
    );
    const pg = q.connection.options.type === "postgres";
    const schema = pg ? ((await q.query("SELECT current_schema() AS s")) as { s: string }[])[0]!.s : "";
    for (const table of COUNTED_TABLES) {
      await q.query(`INSERT INTO change_versions (name, version) VALUES ('${table}', 0)`);
      if (pg) {
        // Qualified names: the function runs with the search_path of whichever session writes.
        await q.query(`
          CREATE FUNCTION "${schema}".passport_${table}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            UPDATE "${schema}".change_versions SET version = version + 1 WHERE name = '${table}';
            PERFORM pg_notify('${CHANGE_CHANNEL}', '${schema}.${table}');
            RETURN NULL;
          END $$`);
        await q.query(`CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${schema}"."${table}" FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".passport_${table}_changed()`);
      } else {
        for (const event of ["INSERT", "UPDATE", "DELETE"]) {
          await q.query(`CREATE TRIGGER ${table}_changed_${event.toLowerCase()} AFTER ${event} ON "${table}" BEGIN UPDATE change_versions SET version = version + 1 WHERE name = '${table}'; END`);
        }
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === "postgres";
    for (const table of COUNTED_TABLES) {
      if (pg) {
        await q.query(`DROP TRIGGER IF EXISTS ${table}_changed ON "${table}"`);
        await q.query(`DROP FUNCTION IF EXISTS passport_${table}_changed()`);
      } else {
        for (const event of ["insert", "update", "delete"]) await q.query(`DROP TRIGGER IF EXISTS ${table}_changed_${event}`);
      }
    }
    await q.dropTable("change_versions");
  }
}
