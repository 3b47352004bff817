// The invariant: the server only ever holds ciphertext. A holder saves a passport whose number and
// name are canary strings and a scan with a canary byte pattern; then the database file (and its
// WAL), the blob directory and the server log are searched for each canary: zero hits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { CANARY_NAME, CANARY_NUMBER, CANARY_SCAN as SCAN, canaryHits, hitsOf, serverHaystacks } from "../helpers/canary.js";
import { confirmRecoveryKey, readVault, saveItem, signUpHolder, uploadFile } from "../helpers/vault.js";
import { derivePasswordKeys, deriveRecoveryKeys, generateRecoveryKey, wrapVaultKey } from "../../src/crypto/index.js";
import { approve, keyedHolder, keyedVerifier, passportItem, submit } from "../verifiers/helpers.js";

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

    it("a submission and a credential with canary contents leave no canary, and no verifier private key, on the server", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const fields = { first_name: CANARY_NAME, last_name: CANARY_NAME, document_no: CANARY_NUMBER, expiry_date: "2031-01-01", country_code: "DE" };
      const p = await passportItem(h, fields, SCAN);
      // The holder's browser seals the fields and the scan's key to the verifier (sealJson, typ passport-submission+jwe).
      const sub = await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId], { items: [{ id: p.itemId, type: "passport", version: p.version, fields, files: [{ id: p.fileId, key: p.fileKey.wrappedKey }] }] });
      assert.equal(sub.status, 201, sub.text);
      // The approval sends the SD-JWT VC (canary claims) sealed to the holder, and a `verification` naming the canary number, which the server must drop.
      assert.equal((await approve(v, sub.json().submission.id, fields)).status, 204);
      const creds = (await h.agent.get("/api/vault/credentials")).json().credentials;
      assert.equal(creds.length, 1);
      assert.equal(creds[0].verification.evidence[0].document_details.document_number, undefined);

      const privateParts = [v.keys.privateJwks.signing.d!, v.keys.privateJwks.encryption.d!].map((d) => Buffer.from(d));
      const haystacks = await serverHaystacks(s);
      assert.ok(hitsOf([{ name: "self-check", data: Buffer.from(JSON.stringify(v.keys.privateJwks)) }], privateParts).length === 2);
      assert.deepEqual(canaryHits(haystacks), []);
      assert.deepEqual(hitsOf(haystacks, privateParts), [], "no verifier private key");
      if (db === "postgres") assert.ok(haystacks.some((x) => x.name === "pg:submissions") && haystacks.some((x) => x.name === "pg:credentials"), "the new tables were searched");
    });

    it("holds neither the recovery keys nor the vault key, while a new recovery key waits and after it replaced the old one", async () => {
      const h = await signUpHolder(s.url);
      const raw = Buffer.from(await crypto.subtle.exportKey("raw", h.vaultKey));
      const fresh = generateRecoveryKey();
      const needles = () => [
        ...[h.recoveryKey, fresh].flatMap((k) => [Buffer.from(k), Buffer.from(k.replace(/-/g, "")), Buffer.from(k.toLowerCase())]),
        raw,
        Buffer.from(raw.toString("base64url").slice(0, 24)),
        Buffer.from(raw.toString("base64").slice(0, 24)),
        Buffer.from(raw.toString("hex").slice(0, 32)),
      ];
      assert.ok(hitsOf([{ name: "self-check", data: Buffer.concat([Buffer.from(fresh), raw]) }], needles()).length >= 2);

      const km = (await h.agent.get("/api/account")).json();
      const { authKey } = await derivePasswordKeys(h.password, km.kdf);
      const r = await deriveRecoveryKeys(fresh);
      const body = { currentAuthKey: authKey, recoveryAuthKey: r.authKey, recoveryWrappedVaultKey: await wrapVaultKey(h.vaultKey, r.kek, "recovery") };
      assert.equal((await h.agent.request("POST", "/api/account/recovery-key", { json: body })).status, 204);
      assert.deepEqual(hitsOf(await serverHaystacks(s), needles()), [], "while the new key waits");
      await confirmRecoveryKey(h.agent, fresh);
      assert.deepEqual(hitsOf(await serverHaystacks(s), needles()), [], "after the swap");
    });
  });
}
