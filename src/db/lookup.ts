// A one-row lookup by a column with fixed SQL, for reads on the hot path (every token or userinfo
// request). TypeORM's findOne builds its query anew each time; this prepares the text once and lets
// the driver reuse the statement. Values are hydrated by the driver like any entity read.
import type { DataSource, EntitySchema } from "typeorm";

export function lookupBy<T extends object>(ds: DataSource, entity: EntitySchema<T>, property: keyof T & string): (value: string) => Promise<T | null> {
  const meta = ds.getMetadata(entity);
  const column = meta.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${meta.name} has no column ${property}`);
  const q = (name: string) => ds.driver.escape(name);
  const table = meta.tablePath.split(".").map(q).join(".");
  const param = ds.options.type === "postgres" ? "$1" : "?";
  const sql = `SELECT * FROM ${table} WHERE ${q(column.databaseName)} = ${param} LIMIT 1`;
  return async (value) => {
    const [raw] = (await ds.query(sql, [value])) as Record<string, unknown>[];
    if (!raw) return null;
    const row = {} as Record<string, unknown>;
    for (const c of meta.columns) row[c.propertyName] = ds.driver.prepareHydratedValue(raw[c.databaseName], c);
    return row as T;
  };
}
