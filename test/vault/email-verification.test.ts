// Email verification: a one-time code mailed (to the outbox without SMTP), checked with limits,
// answered with a signed attestation that makes the email item "verified" and that anyone can
// check against the published JWKS.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { sealItem } from "../../src/crypto/index.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { readVault, saveItem, signUpHolder, type VaultHolder } from "../helpers/vault.js";

function latestCode(s: TestServer, to: string): string {
  const dir = path.join(s.dataDir, "outbox");
  const mails = fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f), "utf8")).filter((m) => m.includes(`To: ${to}`));
  const m = /Your Passport code: (\d{6})/.exec(mails.at(-1) ?? "");
  assert.ok(m, `a mail to ${to} in the outbox`);
  return m[1]!;
}

async function send(h: VaultHolder, email: string) {
  return h.agent.request("POST", "/api/vault/email/send", { json: { email } });
}

for (const db of databases()) {
  describe(`email verification (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db);
    });
    after(() => s.close());

    it("mails a code to the outbox, verifies it and marks the email item verified", async () => {
      const h = await signUpHolder(s.url);
      const email = `verify-${Date.now()}@example.org`;
      assert.equal((await send(h, email)).status, 202);
      const code = latestCode(s, email);
      const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code } });
      assert.equal(res.status, 200, res.text);
      const { attestation } = res.json();

      const { payload, protectedHeader } = await jwtVerify(attestation, createRemoteJWKSet(new URL(`${s.url}/jwks`)), { issuer: s.url });
      assert.equal(protectedHeader.typ, "passport-attestation+jwt");
      assert.equal((payload.verified_claims as { claims: { email: string } }).claims.email, email);

      const { res: saved } = await saveItem(h, "email", { email, attestations: [attestation] }, {});
      assert.equal(saved.status, 200, saved.text);
      assert.equal(saved.json().verification, "unverified", "no attestation sent yet");
      const id = saved.json().id;
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: 2 }, { email, attestations: [attestation] });
      const withProof = await h.agent.request("PUT", "/api/vault/items/email", { json: { ...sealed, id, version: 1, fileIds: [], attestation } });
      assert.equal(withProof.status, 200, withProof.text);
      assert.equal(withProof.json().verification, "verified");
      assert.equal((await readVault(h)).items[0].verification, "verified");

      const replay = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code } });
      assert.equal(replay.status, 400, "a code works once");
    });

    it("refuses a wrong code, locks after five tries, and names the field", async () => {
      const h = await signUpHolder(s.url);
      const email = `wrong-${Date.now()}@example.org`;
      await send(h, email);
      const code = latestCode(s, email);
      const wrongCode = code === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++) {
        const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: wrongCode } });
        assert.equal(res.status, 400);
        assert.ok(res.json().fields.code);
      }
      const right = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code } });
      assert.equal(right.status, 400, "locked after five wrong codes");
      const malformed = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: "12ab" } });
      assert.equal(malformed.status, 400);
      assert.match(malformed.json().fields.code, /6 digits/);
    });

    it("a forged attestation does not verify the item", async () => {
      const h = await signUpHolder(s.url);
      const forged = "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0LWF0dGVzdGF0aW9uK2p3dCJ9.eyJpc3MiOiJ4In0.AAAA";
      const { id } = await saveItem(h, "email", { email: "x@example.org" });
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: 2 }, { email: "x@example.org" });
      const res = await h.agent.request("PUT", "/api/vault/items/email", { json: { id, version: 1, fileIds: [], attestation: forged, ...sealed } });
      assert.equal(res.status, 200);
      assert.equal(res.json().verification, "unverified");
    });

    it("limits how many codes are sent", async () => {
      const h = await signUpHolder(s.url);
      for (let i = 0; i < 5; i++) assert.equal((await send(h, `many${i}@example.org`)).status, 202);
      const res = await send(h, "many6@example.org");
      assert.equal(res.status, 429);
      assert.equal((await send(h, "not an email")).status, 400);
    });

    it("a phone number stays unverified", async () => {
      const h = await signUpHolder(s.url);
      const { res } = await saveItem(h, "phone_number", { phone_number: "+4915112345678" });
      assert.equal(res.json().verification, "unverified");
    });
  });
}
