// How many accounts derive with each PBKDF2 iteration count: the mix the fake prelogin answers
// for unknown emails are drawn from (finding 9). One grouped scan in the database, no rows moved;
// the JSON access is the only dialect-specific part.
import type { DataSource } from "typeorm";
import { AccountEntity } from "./entities.js";

/** [iterations, accounts] pairs, ascending by iterations. */
export type KdfMix = [number, number][];

export function kdfMixQuery(ds: DataSource): () => Promise<KdfMix> {
  const table = ds.getMetadata(AccountEntity).tablePath.split(".").map((n) => ds.driver.escape(n)).join(".");
  const iterations = ds.options.type === "postgres" ? `CAST(kdf::json->>'iterations' AS integer)` : `CAST(json_extract(kdf, '$.iterations') AS integer)`;
  const sql = `SELECT ${iterations} AS iterations, COUNT(*) AS n FROM ${table} GROUP BY 1 ORDER BY 1`;
  return async () => {
    const rows = (await ds.query(sql)) as { iterations: number | string | null; n: number | string }[];
    return rows.filter((r) => r.iterations !== null).map((r) => [Number(r.iterations), Number(r.n)]);
  };
}
