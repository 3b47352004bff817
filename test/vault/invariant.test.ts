// The invariant: the server only ever holds ciphertext. A holder saves a passport whose number and
// name are canary strings and a scan with a canary byte pattern; then the database file (and its
// WAL), the blob directory and the server log are searched for each canary: zero hits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { readVault, saveItem, signUpHolder, uploadFile } from "../helpers/vault.js";

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

for (const db of databases()) {
  describe(`invariant: only ciphertext on the server (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "debug" });
    });
    after(() => s.close());

    it("holds no canary in the database, the blobs or the log", async () => {
      const h = await signUpHolder(s.url);
      const up = await uploadFile(h, SCAN);
      assert.equal(up.status, 201);
      const doc = { document_no: CANARY_NUMBER, expiry_date: "2030-01-01", front_side: { id: up.id, mime: "image/jpeg", size: SCAN.length, sha256: up.sealed.sha256 } };
      assert.equal((await saveItem(h, "passport", doc, { fileIds: [up.id] })).res.status, 200);
      const pd = { first_name: CANARY_NAME, last_name: CANARY_NAME, birth_date: "1990-01-01", gender: "male", country_code: "DE", residence_country_code: "DE" };
      assert.equal((await saveItem(h, "personal_details", pd)).res.status, 200);
      assert.equal((await readVault(h)).items.length, 2);

      // Sanity: the search finds the canaries where they are in plain text.
      assert.ok(hits([{ name: "self-check", data: Buffer.concat([Buffer.from(JSON.stringify(doc)), SCAN]) }]).length >= 2);

      const haystacks: { name: string; data: Buffer }[] = [];
      for (const f of filesUnder(s.dataDir)) haystacks.push({ name: path.relative(s.dataDir, f), data: fs.readFileSync(f) });
      if (db === "sqlite") assert.ok(haystacks.some((x) => x.name.endsWith("passport.sqlite-wal")), "the database file and its WAL were searched");
      assert.ok(haystacks.some((x) => x.name.startsWith("blobs")), "the blobs were searched");
      if (db === "postgres") {
        for (const table of ["vault_items", "vault_files", "oidc_payloads", "accounts", "app_sessions", "login_failures", "blobs"]) {
          const rows = await s.app.container.ds.query(`SELECT * FROM ${table}`);
          haystacks.push({ name: `pg:${table}`, data: Buffer.from(JSON.stringify(rows)) });
        }
      }
      haystacks.push({ name: "server log", data: Buffer.from(s.logLines.join("\n")) });
      assert.ok(s.logLines.length > 5, "the log has lines");
      assert.deepEqual(hits(haystacks), []);
    });
  });
}
