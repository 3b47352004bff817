// A one-row lookup by a column with fixed SQL, for reads on the hot path (every token or userinfo
// request). TypeORM's findOne builds its query anew each time; this writes the text once and runs
// it as a prepared statement on the driver (src/db/prepared.ts). Values are hydrated by TypeORM's
// driver like any entity read, so the row is the same as a repository would return.
import type { DataSource, EntitySchema } from "typeorm";
import { preparedSql } from "./prepared.js";

export function lookupBy<T extends object>(ds: DataSource, entity: EntitySchema<T>, property: keyof T & string): (value: string) => Promise<T | null> {
  const meta = ds.getMetadata(entity);
  const column = meta.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${meta.name} has no column ${property}`);
  const q = (name: string) => ds.driver.escape(name);
  const table = meta.tablePath.split(".").map(q).join(".");
  const param = ds.options.type === "postgres" ? "$1" : "?";
  const sql = `SELECT * FROM ${table} WHERE ${q(column.databaseName)} = ${param} LIMIT 1`;
  const db = preparedSql(ds);
  return async (value) => {
    const [raw] = await db.rows(sql, [value]);
    if (!raw) return null;
    const row = {} as Record<string, unknown>;
    for (const c of meta.columns) row[c.propertyName] = ds.driver.prepareHydratedValue(raw[c.databaseName], c);
    return row as T;
  };
}
