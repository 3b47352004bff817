// The invariant: the server only ever holds ciphertext. A holder saves a passport whose number and
// name are canary strings and a scan with a canary byte pattern; then the database file (and its
// WAL), the blob directory and the server log are searched for each canary: zero hits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { CANARY_NAME, CANARY_NUMBER, CANARY_SCAN as SCAN, canaryHits, serverHaystacks } from "../helpers/canary.js";
import { readVault, saveItem, signUpHolder, uploadFile } from "../helpers/vault.js";

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
      assert.ok(canaryHits([{ name: "self-check", data: Buffer.concat([Buffer.from(JSON.stringify(doc)), SCAN]) }]).length >= 2);

      const haystacks = await serverHaystacks(s);
      if (db === "sqlite") assert.ok(haystacks.some((x) => x.name.endsWith("passport.sqlite-wal")), "the database file and its WAL were searched");
      assert.ok(haystacks.some((x) => x.name.startsWith("blobs")), "the blobs were searched");
      if (db === "postgres") assert.ok(haystacks.some((x) => x.name === "pg:vault_items"), "the tables were searched");
      assert.ok(s.logLines.length > 5, "the log has lines");
      assert.deepEqual(canaryHits(haystacks), []);
    });
  });
}
