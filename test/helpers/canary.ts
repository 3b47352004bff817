// Canaries for the invariant tests: unique strings and a byte pattern put into documents, and a
// search of everything the server keeps (database files and WAL or every PostgreSQL table, blobs,
// log) for them and for the encodings a leak would likely take.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { TestServer } from "./server.js";

export const CANARY_NUMBER = `CNRY${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
export const CANARY_NAME = `Canaryson${crypto.randomBytes(4).toString("hex")}`;
export const CANARY_BYTES = crypto.randomBytes(48);
export const CANARY_SCAN = Buffer.concat(Array.from({ length: 200 }, () => CANARY_BYTES));

export interface Haystack {
  name: string;
  data: Buffer;
}

function needles(): Buffer[] {
  return [
    ...[CANARY_NUMBER, CANARY_NAME].flatMap((t) => [Buffer.from(t), Buffer.from(Buffer.from(t).toString("base64").slice(0, 12)), Buffer.from(t.toLowerCase())]),
    CANARY_BYTES,
    Buffer.from(CANARY_BYTES.toString("base64url").slice(0, 32)),
    Buffer.from(CANARY_BYTES.toString("base64").slice(0, 32)),
    Buffer.from(CANARY_BYTES.toString("hex").slice(0, 32)),
  ];
}

/** Where any of `needles` was found (e.g. a recovery key, a document number); empty when none. */
export function hitsOf(haystacks: Haystack[], needles: Buffer[]): string[] {
  return haystacks.flatMap((h) => needles.filter((n) => h.data.includes(n)).map((n) => `${h.name} contains ${n.toString("hex").slice(0, 16)}…`));
}

/** Where a canary was found ("name contains …"); empty when none. */
export function canaryHits(haystacks: Haystack[]): string[] {
  const found: string[] = [];
  for (const h of haystacks) for (const n of needles()) if (h.data.includes(n)) found.push(`${h.name} contains ${n.toString("hex").slice(0, 16)}…`);
  return found;
}

/** Every file under the server's data folder (database, WAL, blobs, outbox), every table on PostgreSQL, and the log. */
export async function serverHaystacks(s: TestServer): Promise<Haystack[]> {
  const out: Haystack[] = [];
  if (fs.existsSync(s.dataDir)) {
    for (const e of fs.readdirSync(s.dataDir, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) out.push({ name: path.relative(s.dataDir, path.join(e.parentPath, e.name)), data: fs.readFileSync(path.join(e.parentPath, e.name)) });
    }
  }
  if (s.cfg.database.type === "postgres") out.push(...(await pgTables(s, s.cfg.database.schema)));
  out.push({ name: "server log", data: Buffer.from(s.logLines.join("\n")) });
  return out;
}

/** Every row of every table in the test's PostgreSQL schema, binary columns as their raw bytes. */
async function pgTables(s: TestServer, schema: string): Promise<Haystack[]> {
  const ds = s.app.container.ds;
  const tables = (await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema])) as { table_name: string }[];
  const out: Haystack[] = [];
  for (const { table_name } of tables) {
    const rows = (await ds.query(`SELECT * FROM ${ds.driver.escape(schema)}.${ds.driver.escape(table_name)}`)) as Record<string, unknown>[];
    const cells = rows.flatMap((r) => Object.values(r).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v) ?? ""))));
    out.push({ name: `pg:${table_name}`, data: Buffer.concat(cells) });
  }
  return out;
}
