// The invariant after sharing: a holder shares a passport whose number and a personal-details name
// are canaries, with a canary scan, and the relying party opens all of it (so the canaries did
// travel); yet the database (file and WAL, or every table of the PostgreSQL schema), the blob
// store and the server log hold no canary. Same method as test/vault/invariant.test.ts. And no key
// the server holds (unsealed server_keys, client secrets, cookie keys) opens the stored payload or
// any blob; test/browser/playground.test.ts does the same after shares with the playground.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ShareEntity } from "../../src/db/entities.js";
import { downloadScan } from "../../src/sdk/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { CANARY_NAME, CANARY_NUMBER, CANARY_SCAN as SCAN, canaryHits, serverHaystacks } from "../helpers/canary.js";
import { saveItem, signUpHolder } from "../helpers/vault.js";
import { keysThatOpen, sealedOnServer, serverHeldKeys } from "../helpers/held-keys.js";
import { sampleFields, uploadScan } from "./documents.js";
import { claimsParam, registerPassportRp, sharePassport } from "./flow.js";

pgNotice();

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
      assert.ok(canaryHits([{ name: "self-check", data: Buffer.concat([Buffer.from(JSON.stringify(payload)), SCAN]) }]).length >= 3);

      const haystacks = await serverHaystacks(s);
      if (db === "sqlite") assert.ok(haystacks.some((x) => x.name.endsWith("passport.sqlite-wal")), "the database file and its WAL were searched");
      assert.ok(haystacks.some((x) => x.name.startsWith("blobs")), "the blobs were searched");
      if (db === "postgres") {
        for (const t of ["shares", "share_log", "oidc_payloads", "vault_items", "vault_files"]) assert.ok(haystacks.some((x) => x.name === `pg:${t}`), `table ${t} was searched`);
      }
      assert.ok(s.logLines.some((l) => l.includes("/passport/files/")), "the log covers the share");
      assert.deepEqual(canaryHits(haystacks), []);

      const sealed = await sealedOnServer(s);
      assert.equal(sealed.jwes.length, 1);
      assert.ok(sealed.files.length >= 1);
      assert.deepEqual(await keysThatOpen(await serverHeldKeys(s), sealed), []);
    });
  });
}
