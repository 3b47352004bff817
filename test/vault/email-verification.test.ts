// Email verification: a one-time code mailed (to the outbox without SMTP), checked with limits,
// answered with a signed attestation that makes the email item "verified" and that anyone can
// check against the published JWKS.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { sealItem } from "../../src/crypto/index.js";
import { UnboundAttestations1764550000000 } from "../../migrations/1764550000000-unbound-attestations.js";
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
      s = await startServer(db, { EMAIL_CODE_SENDS_PER_IP_PER_HOUR: "10000" });
    });
    after(() => s.close());

    /** A code sent and redeemed: the attestation the browser would seal. */
    async function attestationFor(h: VaultHolder, email: string): Promise<string> {
      assert.equal((await send(h, email)).status, 202);
      const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: latestCode(s, email) } });
      assert.equal(res.status, 200, res.text);
      return res.json().attestation;
    }

    /** Saves an unverified email item, then presents `attestation` with its next version. */
    async function present(h: VaultHolder, email: string, attestation: string) {
      const existing = (await readVault(h)).items.find((i: { type: string }) => i.type === "email");
      const id = existing?.id ?? (await saveItem(h, "email", { email })).id;
      const version = existing?.version ?? 1;
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: version + 1 }, { email, attestations: [attestation] });
      return h.agent.request("PUT", "/api/vault/items/email", { json: { ...sealed, id, version, fileIds: [], attestation } });
    }

    async function itemState(h: VaultHolder): Promise<string> {
      const item = (await readVault(h)).items.find((i: { type: string }) => i.type === "email");
      return `${item.verification}, version ${item.version}`;
    }

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

    it("a forged attestation is refused and the item stays as it was", async () => {
      const h = await signUpHolder(s.url);
      const forged = "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0LWF0dGVzdGF0aW9uK2p3dCJ9.eyJpc3MiOiJ4In0.AAAA";
      const res = await present(h, "x@example.org", forged);
      assert.equal(res.status, 400);
      assert.match(res.json().fields.attestation, /not valid/);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("an attestation issued to one account is refused in another account's item (replay)", async () => {
      const a = await signUpHolder(s.url);
      const b = await signUpHolder(s.url);
      const email = `replayed-${Date.now()}@example.org`;
      const attestation = await attestationFor(a, email);
      const { payload } = await jwtVerify(attestation, createRemoteJWKSet(new URL(`${s.url}/jwks`)), { issuer: s.url, audience: s.url, typ: "passport-attestation+jwt" });
      assert.ok(payload.sub && payload.exp && payload.iat && payload.jti, "bound to a subject, with expiry, time and id");
      const account = (await s.app.container.accounts.getByEmail(a.email))!;
      assert.ok(!JSON.stringify(payload).includes(account.id), "the account id itself is not disclosed");

      const res = await present(b, email, attestation);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /another account/);
      assert.equal(await itemState(b), "unverified, version 1");
      assert.equal((await present(a, email, attestation)).json().verification, "verified", "its holder can still use it");
    });

    it("an expired attestation is refused", async () => {
      const h = await signUpHolder(s.url);
      const email = `expired-${Date.now()}@example.org`;
      const { id } = (await s.app.container.accounts.getByEmail(h.email))!;
      const then = Date.now() - 366 * 86_400_000;
      await s.app.container.emailVerification.sendCode(id, email, "198.51.100.7", then);
      const old = await s.app.container.emailVerification.verify(id, email, latestCode(s, email), then);
      const res = await present(h, email, old);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /expired/);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("a tampered attestation is refused", async () => {
      const h = await signUpHolder(s.url);
      const email = `tampered-${Date.now()}@example.org`;
      const [head, body, sig] = (await attestationFor(h, email)).split(".");
      const claims = JSON.parse(Buffer.from(body!, "base64url").toString());
      claims.verified_claims.claims.email = "someone-else@example.org";
      const tampered = [head, Buffer.from(JSON.stringify(claims)).toString("base64url"), sig].join(".");
      const res = await present(h, "someone-else@example.org", tampered);
      assert.equal(res.status, 400, res.text);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("limits how many codes are sent", async () => {
      const h = await signUpHolder(s.url);
      for (let i = 0; i < 5; i++) assert.equal((await send(h, `many${i}@example.org`)).status, 202);
      const res = await send(h, "many6@example.org");
      assert.equal(res.status, 429);
      assert.equal((await send(h, "not an email")).status, 400);
    });

    it("the migration un-verifies email items verified by an attestation bound to nobody", async () => {
      const h = await signUpHolder(s.url);
      const email = `legacy-${Date.now()}@example.org`;
      assert.equal((await present(h, email, await attestationFor(h, email))).json().verification, "verified");
      const runner = s.app.container.ds.createQueryRunner();
      try {
        await new UnboundAttestations1764550000000().up(runner);
      } finally {
        await runner.release();
      }
      assert.equal(await itemState(h), "unverified, version 2");
    });

    it("a phone number stays unverified", async () => {
      const h = await signUpHolder(s.url);
      const { res } = await saveItem(h, "phone_number", { phone_number: "+4915112345678" });
      assert.equal(res.json().verification, "unverified");
    });
  });
}
