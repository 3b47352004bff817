// The invariant after sharing: a holder shares a passport whose number and a personal-details name
// are canaries, with a canary scan, and the relying party opens all of it (so the canaries did
// travel); yet the database (file and WAL, or every table of the PostgreSQL schema), the blob
// store and the server log hold no canary. Same method as test/vault/invariant.test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ShareEntity } from "../../src/db/entities.js";
import { downloadScan } from "../../src/sdk/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { saveItem, signUpHolder } from "../helpers/vault.js";
import { sampleFields, uploadScan } from "./documents.js";
import { claimsParam, registerPassportRp, sharePassport } from "./flow.js";

pgNotice();

const CANARY_NUMBER = `CNRY${crypto.randomBytes(6).toString("hex").toUpperCase()}`;
const CANARY_NAME = `Canaryson${crypto.randomBytes(4).toString("hex")}`;
const CANARY_BYTES = crypto.randomBytes(48);
const SCAN = Buffer.concat(Array.from({ length: 200 }, () => CANARY_BYTES));

/** Each canary as raw bytes and in the encodings a leak would likely take. */
function needles(): Buffer[] {
  const texts = [CANARY_NUMBER, CANARY_NAME];
  return [
    ...texts.flatMap((t) => [Buffer.from(t), Buffer.from(Buffer.from(t).toString("base64").slice(0, 12)), Buffer.from(t.toLowerCase())]),
    CANARY_BYTES,
    Buffer.from(CANARY_BYTES.toString("base64url").slice(0, 32)),
    Buffer.from(CANARY_BYTES.toString("base64").slice(0, 32)),
    Buffer.from(CANARY_BYTES.toString("hex").slice(0, 32)),
  ];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function hits(haystacks: { name: string; data: Buffer }[]): string[] {
  const found: string[] = [];
  for (const h of haystacks) for (const n of needles()) if (h.data.includes(n)) found.push(`${h.name} contains ${n.toString("hex").slice(0, 16)}…`);
  return found;
}

/** Every row of every table in the test's PostgreSQL schema, binary columns as their raw bytes. */
async function pgTables(s: TestServer, schema: string): Promise<{ name: string; data: Buffer }[]> {
  const ds = s.app.container.ds;
  const tables = (await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema])) as { table_name: string }[];
  const out: { name: string; data: Buffer }[] = [];
  for (const { table_name } of tables) {
    const rows = (await ds.query(`SELECT * FROM ${ds.driver.escape(schema)}.${ds.driver.escape(table_name)}`)) as Record<string, unknown>[];
    const cells = rows.flatMap((r) => Object.values(r).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v) ?? ""))));
    out.push({ name: `pg:${table_name}`, data: Buffer.concat(cells) });
  }
  return out;
}

for (const db of databases()) {
  describe(`sharing invariant: only ciphertext on the server after a share (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "debug" });
    });
    after(() => s.close());

    it("holds no canary in the database, the blobs or the log, while the relying party reads them all", async () => {
      const h = await signUpHolder(s.url);
      const { scan, ref } = await uploadScan(h, "front_side", SCAN);
      const doc = { document_no: CANARY_NUMBER, expiry_date: "2030-01-01", front_side: ref };
      assert.equal((await saveItem(h, "passport", doc, { fileIds: [scan.id] })).res.status, 200);
      const pd = { ...sampleFields("personal_details"), first_name: CANARY_NAME, last_name_native: CANARY_NAME };
      assert.equal((await saveItem(h, "personal_details", pd)).res.status, 200);

      const rp = await registerPassportRp(s, { name: "Canary Checker" });
      const claims = claimsParam({ personal_details: { native_names: null } });
      const { payload, tokens } = await sharePassport(s, rp, h, "openid passport:passport passport:personal_details", { params: { claims } });
      assert.equal(payload.data.passport!.fields.document_no, CANARY_NUMBER);
      assert.equal(payload.data.personal_details!.fields.first_name, CANARY_NAME);
      assert.equal(payload.data.personal_details!.fields.last_name_native, CANARY_NAME);
      const opened = await downloadScan(s.url, tokens.access_token, payload.data.passport!.files[0]!);
      assert.ok(Buffer.from(opened).equals(SCAN), "the relying party got the canary scan");
      assert.equal(await s.app.container.ds.getRepository(ShareEntity).count(), 1, "the sealed payload is stored");

      // Sanity: the search finds the canaries where they are in plain text.
      assert.ok(hits([{ name: "self-check", data: Buffer.concat([Buffer.from(JSON.stringify(payload)), SCAN]) }]).length >= 3);

      const haystacks: { name: string; data: Buffer }[] = [];
      for (const f of filesUnder(s.dataDir)) haystacks.push({ name: path.relative(s.dataDir, f), data: fs.readFileSync(f) });
      if (db === "sqlite") assert.ok(haystacks.some((x) => x.name.endsWith("passport.sqlite-wal")), "the database file and its WAL were searched");
      assert.ok(haystacks.some((x) => x.name.startsWith("blobs")), "the blobs were searched");
      if (s.cfg.database.type === "postgres") {
        const tables = await pgTables(s, s.cfg.database.schema);
        for (const t of ["shares", "share_log", "oidc_payloads", "vault_items", "vault_files"]) assert.ok(tables.some((x) => x.name === `pg:${t}`), `table ${t} was searched`);
        haystacks.push(...tables);
      }
      haystacks.push({ name: "server log", data: Buffer.from(s.logLines.join("\n")) });
      assert.ok(s.logLines.some((l) => l.includes("/passport/files/")), "the log covers the share");
      assert.deepEqual(hits(haystacks), []);
    });
  });
}
