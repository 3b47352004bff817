// Query plans of the hot path: records every statement one pass of the measured steps sends to
// the database, then asks the database how it runs each (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN
// on SQLite; neither executes the statement) and flags full scans of a table, which is what makes
// latency grow with the number of holders.
import type { DataSource, QueryRunner } from "typeorm";

interface Recorded {
  sql: string;
  params: unknown[];
}

export interface Plan {
  sql: string;
  plan: string;
  fullScan: boolean;
}

/** Records the statements `run` sends through `ds`, once each (by text). */
export async function recordQueries(ds: DataSource, run: () => Promise<void>): Promise<Recorded[]> {
  const proto = Object.getPrototypeOf(ds.createQueryRunner()) as { query: (this: QueryRunner, ...a: unknown[]) => Promise<unknown> };
  const original = proto.query;
  const seen = new Map<string, Recorded>();
  proto.query = function (this: QueryRunner, sql: unknown, params?: unknown, ...rest: unknown[]) {
    const text = String(sql).trim();
    if (/^(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text) && !seen.has(text)) seen.set(text, { sql: text, params: (params as unknown[]) ?? [] });
    return original.call(this, sql, params, ...rest);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return [...seen.values()];
}

const PG_SCAN = /Seq Scan on (\w+)/g;
const SQLITE_SCAN = /^SCAN (\w+)(?! USING (COVERING )?INDEX)/;

/** Plans of `queries`; a full scan of any table in `big` is flagged. */
export async function explain(ds: DataSource, queries: Recorded[], big: string[]): Promise<Plan[]> {
  const pg = ds.options.type === "postgres";
  const out: Plan[] = [];
  for (const q of queries) {
    try {
      if (pg) {
        const rows = (await ds.query(`EXPLAIN ${q.sql}`, q.params)) as { "QUERY PLAN": string }[];
        const plan = rows.map((r) => r["QUERY PLAN"].trim()).filter((l) => !/^(Filter|Index Cond|Recheck|Output|Hash Cond|Join Filter|Sort Key|Conflict|One-Time)/.test(l.replace(/^->\s*/, "")));
        const scans = [...plan.join("\n").matchAll(PG_SCAN)].map((m) => m[1]!);
        out.push({ sql: q.sql, plan: plan.map((l) => l.replace(/\s*\(cost=[^)]*\)/, "").replace(/^->\s*/, "")).join(" / "), fullScan: scans.some((t) => big.includes(t)) });
      } else {
        const rows = (await ds.query(`EXPLAIN QUERY PLAN ${q.sql}`, q.params)) as { detail: string }[];
        const details = rows.map((r) => r.detail);
        out.push({ sql: q.sql, plan: details.join(" / "), fullScan: details.some((d) => big.includes(SQLITE_SCAN.exec(d)?.[1] ?? "")) });
      }
    } catch (e) {
      out.push({ sql: q.sql, plan: `(not explained: ${(e as Error).message.split("\n")[0]})`, fullScan: false });
    }
  }
  return out;
}
