// Email verification: a one-time code mailed (to the outbox without SMTP), checked with limits,
// answered with Passport's own SD-JWT VC of the address, bound to the holder's signing key, with a
// status entry of Passport's. The browser seals it into the email item and sends it once with the
// save; the server checks it and marks the item verified. Relying parties verify it with the SDK
// against the issuer metadata at /.well-known/jwt-vc-issuer, with a key-binding JWT over their
// client id and nonce; deleting or changing the item revokes it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { sealItem } from "../../src/crypto/index.js";
import { inspectCredential, presentCredential, readStatusListToken, type HolderKeys } from "../../src/credentials/index.js";
import { verifyCredentials } from "../../src/sdk/credentials.js";
import { emailCredentialOf } from "../../src/sharing/email-credential.js";
import { UnboundAttestations1764550000000 } from "../../migrations/1764550000000-unbound-attestations.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { openVaultItem, readVault, registerHolderKeys, saveItem, signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { registerPassportRp, sharePassport } from "../sharing/flow.js";

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

const unique = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.org`;

/** A relying party's view of one presentation of the email credential, checked by the SDK. */
async function sdkCheck(s: TestServer, credential: string, email: string, nonce = "n-1") {
  const payload = { v: 1, iss: s.url, aud: "rp-1", sub: "holder", nonce, iat: Math.floor(Date.now() / 1000), data: { email: { version: 1, fields: { email }, files: [], attestations: [], credential } } };
  const report = await verifyCredentials(payload as never, { issuer: s.url, clientId: "rp-1", nonce });
  return report.items.find((i) => i.item === "email")!;
}

for (const db of databases()) {
  describe(`email verification (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { EMAIL_CODE_SENDS_PER_IP_PER_HOUR: "10000", VERIFIER_STATUS_LIST_SIZE: "16" });
    });
    after(() => s.close());

    const holders = new WeakMap<VaultHolder, HolderKeys>();
    async function keysOf(h: VaultHolder): Promise<HolderKeys> {
      if (!holders.has(h)) holders.set(h, await registerHolderKeys(h));
      return holders.get(h)!;
    }

    /** A code sent and redeemed with the holder's key: the credential the browser would seal. */
    async function attestationFor(h: VaultHolder, email: string): Promise<string> {
      const { signingJwk } = await keysOf(h);
      assert.equal((await send(h, email)).status, 202);
      const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: latestCode(s, email), holderJwk: signingJwk } });
      assert.equal(res.status, 200, res.text);
      return res.json().attestation;
    }

    /** Saves the email item (unverified first if there is none), then `attestation` with its next version. */
    async function present(h: VaultHolder, email: string, attestation: string) {
      const existing = (await readVault(h)).items.find((i: { type: string }) => i.type === "email");
      const id = existing?.id ?? (await saveItem(h, "email", { email })).id;
      const version = existing?.version ?? 1;
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: version + 1 }, { email, attestations: [attestation] });
      return h.agent.request("PUT", "/api/vault/items/email", { json: { ...sealed, id, version, fileIds: [], attestation } });
    }

    async function emailItem(h: VaultHolder) {
      return (await readVault(h)).items.find((i: { type: string }) => i.type === "email");
    }

    async function itemState(h: VaultHolder): Promise<string> {
      const item = await emailItem(h);
      return `${item.verification}, version ${item.version}`;
    }

    /** The holder's browser at a relying party: only `email` disclosed, key-bound to rp-1 and the nonce. */
    async function presentation(h: VaultHolder, credential: string, nonce = "n-1", keys?: HolderKeys) {
      return presentCredential(credential, ["email"], (keys ?? (await keysOf(h))).signingKey, { aud: "rp-1", nonce });
    }

    it("mails a code, answers an SD-JWT VC bound to the holder's key, and the saved item is verified", async () => {
      const h = await signUpHolder(s.url);
      const keys = await keysOf(h);
      const email = unique("verify");
      assert.equal((await send(h, email)).status, 202);
      const code = latestCode(s, email);
      const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: keys.signingJwk } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const { attestation } = res.json();

      const summary = await inspectCredential(attestation);
      assert.equal(summary.iss, s.url);
      assert.equal(summary.vct, `${s.url}/vct/email`);
      assert.deepEqual(summary.claims, { email });
      assert.deepEqual(summary.claimNames, ["email"], "one disclosure: the address");
      assert.equal(summary.verification?.trust_framework, "passport_email");
      assert.equal(summary.verification?.evidence?.[0]?.type, "electronic_record");
      assert.equal(summary.cnf?.jwk?.x, keys.signingJwk.x, "cnf is the holder's signing key");
      assert.match(summary.status?.status_list?.uri ?? "", new RegExp(`^${s.url}/status/[0-9a-f-]{36}$`));
      assert.ok(summary.exp! > summary.iat!, "it expires");

      const { res: saved } = await saveItem(h, "email", { email, attestations: [attestation] }, {});
      assert.equal(saved.json().verification, "unverified", "no attestation sent yet");
      const id = saved.json().id;
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: 2 }, { email, attestations: [attestation] });
      const withProof = await h.agent.request("PUT", "/api/vault/items/email", { json: { ...sealed, id, version: 1, fileIds: [], attestation } });
      assert.equal(withProof.status, 200, withProof.text);
      assert.equal(withProof.json().verification, "verified");

      const replay = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: keys.signingJwk } });
      assert.equal(replay.status, 400, "a code works once");
    });

    it("publishes Passport's issuer metadata and status lists; the SDK verifies a presentation against them", async () => {
      const meta = await fetch(`${s.url}/.well-known/jwt-vc-issuer`);
      assert.equal(meta.status, 200);
      assert.equal(meta.headers.get("access-control-allow-origin"), "*");
      const body = (await meta.json()) as { issuer: string; jwks: { keys: Record<string, unknown>[] } };
      assert.equal(body.issuer, s.url);
      assert.ok(body.jwks.keys.length >= 1);
      for (const k of body.jwks.keys) {
        assert.equal(k.kty, "EC");
        assert.ok(!("d" in k), "public halves only");
      }
      assert.equal((await fetch(`${s.url}/status/${crypto.randomUUID()}`)).status, 404);
      assert.equal((await fetch(`${s.url}/status/not-a-list`)).status, 404);

      const h = await signUpHolder(s.url);
      const email = unique("sdk");
      const credential = await attestationFor(h, email);
      assert.equal((await present(h, email, credential)).json().verification, "verified");
      const uri = (await inspectCredential(credential)).status!.status_list!.uri;
      const list = await fetch(uri);
      assert.equal(list.status, 200);
      assert.equal(list.headers.get("content-type"), "application/statuslist+jwt");
      assert.equal(readStatusListToken(await list.text()).iss, s.url);

      const check = await sdkCheck(s, await presentation(h, credential), email);
      assert.equal(check.verified, true, check.message);
      assert.equal(check.iss, s.url);
      assert.equal(check.claims.email?.verified, true);
      assert.equal(check.verification?.trust_framework, "passport_email");
      // The key binding is for one relying party and one request.
      assert.equal((await sdkCheck(s, await presentation(h, credential, "other-nonce"), email)).reason, "kb_wrong_nonce");
      assert.equal((await sdkCheck(s, credential, email)).reason, "kb_missing", "the credential as issued proves nothing to a relying party");
    });

    it("delivers the email to a relying party as verified by Passport, end to end (consent composer, openid-client, SDK)", async () => {
      const h = await signUpHolder(s.url);
      const keys = await keysOf(h);
      const email = unique("e2e");
      assert.equal((await present(h, email, await attestationFor(h, email))).json().verification, "verified");
      const item = await emailItem(h);
      const own = await emailCredentialOf(item, (await openVaultItem(h, item)) as Record<string, unknown>, s.url);
      assert.ok(own, "the email item carries its credential");
      const rp = await registerPassportRp(s);
      const claims = JSON.stringify({ userinfo: { verified_claims: { verification: { trust_framework: { value: "passport_email" } }, claims: { email: { email: null } } } } });
      const { payload, req } = await sharePassport(s, rp, h, "openid passport:email", { params: { claims }, verified: { signingKey: keys.signingKey, credentials: [own] } });
      const shared = payload.data.email!;
      assert.equal(shared.fields.email, email);
      assert.deepEqual(shared.attestations, [], "the credential as issued stays in the vault");
      assert.ok(shared.credential, "the email carries its presentation");
      const report = await verifyCredentials(payload, { issuer: s.url, clientId: rp.clientId, nonce: req.nonce! });
      const check = report.items.find((i) => i.item === "email")!;
      assert.equal(check.verified, true, check.message);
      assert.equal(check.claims.email?.verified, true);
      assert.equal(check.verification?.trust_framework, "passport_email");
    });

    it("checks the holder key before the code: none registered, or another key, is a 400 naming holderJwk", async () => {
      const h = await signUpHolder(s.url);
      const email = unique("key");
      assert.equal((await send(h, email)).status, 202);
      const code = latestCode(s, email);
      const { publicKey } = await generateKeyPair("ES256", { extractable: true });
      const stranger = await exportJWK(publicKey);
      const none = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: stranger } });
      assert.equal(none.status, 400);
      assert.match(none.json().fields.holderJwk, /no holder keys/);
      const keys = await keysOf(h);
      const other = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: stranger } });
      assert.equal(other.status, 400);
      assert.match(other.json().fields.holderJwk, /not this account's/);
      const missing = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code } });
      assert.equal(missing.status, 400);
      assert.ok(missing.json().fields.holderJwk);
      const right = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: keys.signingJwk } });
      assert.equal(right.status, 200, "the refused calls did not use the code up");
    });

    it("refuses a wrong code, locks after five tries, and names the field", async () => {
      const h = await signUpHolder(s.url);
      const { signingJwk: holderJwk } = await keysOf(h);
      const email = unique("wrong");
      await send(h, email);
      const code = latestCode(s, email);
      const wrongCode = code === "000000" ? "111111" : "000000";
      for (let i = 0; i < 5; i++) {
        const res = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: wrongCode, holderJwk } });
        assert.equal(res.status, 400);
        assert.ok(res.json().fields.code);
      }
      const right = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk } });
      assert.equal(right.status, 400, "locked after five wrong codes");
      const malformed = await h.agent.request("POST", "/api/vault/email/verify", { json: { email, code: "12ab", holderJwk } });
      assert.equal(malformed.status, 400);
      assert.match(malformed.json().fields.code, /6 digits/);
    });

    it("refuses the older unbound JWTs and forgeries; the item stays as it was", async () => {
      const h = await signUpHolder(s.url);
      await keysOf(h);
      const { privateKey } = await generateKeyPair("ES256");
      const oldKind = await new SignJWT({ verified_claims: { claims: { email: "x@example.org" } } }).setProtectedHeader({ alg: "ES256", typ: "passport-attestation+jwt" }).setIssuer(s.url).sign(privateKey);
      const res = await present(h, "x@example.org", oldKind);
      assert.equal(res.status, 400);
      assert.match(res.json().fields.attestation, /older kind/);
      assert.equal(await itemState(h), "unverified, version 1");
      const forged = await present(h, "x@example.org", `${oldKind}~`);
      assert.equal(forged.status, 400);
      assert.match(forged.json().fields.attestation, /not valid/);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("a credential copied into another vault proves nothing: refused on save, and unpresentable with the other holder's key", async () => {
      const a = await signUpHolder(s.url);
      const b = await signUpHolder(s.url);
      const email = unique("copied");
      const credential = await attestationFor(a, email);

      const withoutKeys = await present(b, email, credential);
      assert.equal(withoutKeys.status, 400, withoutKeys.text);
      assert.match(withoutKeys.json().fields.attestation, /another holder key/);
      const bKeys = await keysOf(b);
      const res = await present(b, email, credential);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /another holder key/);
      assert.equal(await itemState(b), "unverified, version 1");

      // B can only bind a presentation with B's own key, which is not the credential's cnf.
      assert.equal((await sdkCheck(s, await presentation(b, credential, "n-1", bKeys), email)).reason, "kb_bad_signature");
      assert.equal((await present(a, email, credential)).json().verification, "verified", "its holder can still use it");
    });

    it("a credential bound to a holder key the account no longer has is refused (400 naming the attestation)", async () => {
      const h = await signUpHolder(s.url);
      const email = unique("rekeyed");
      const credential = await attestationFor(h, email);
      const { id } = (await s.app.container.accounts.getByEmail(h.email))!;
      await s.app.container.holderKeys.delete(id);
      holders.delete(h);
      await keysOf(h);
      const res = await present(h, email, credential);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /another holder key/);
    });

    it("an expired credential is refused", async () => {
      const h = await signUpHolder(s.url);
      const keys = await keysOf(h);
      const email = unique("expired");
      const { id } = (await s.app.container.accounts.getByEmail(h.email))!;
      const then = Date.now() - 366 * 86_400_000;
      await s.app.container.emailVerification.sendCode(id, email, "198.51.100.7", then);
      const old = await s.app.container.emailVerification.verify(id, email, latestCode(s, email), keys.signingJwk as never, then);
      const res = await present(h, email, old);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /expired/);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("a credential with a changed disclosure is refused", async () => {
      const h = await signUpHolder(s.url);
      const email = unique("tampered");
      const [jwt, disclosure] = (await attestationFor(h, email)).split("~");
      const [salt] = JSON.parse(Buffer.from(disclosure!, "base64url").toString()) as [string];
      const changed = Buffer.from(JSON.stringify([salt, "email", "someone-else@example.org"])).toString("base64url");
      const res = await present(h, "someone-else@example.org", `${jwt}~${changed}~`);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().fields.attestation, /not valid/);
      assert.equal(await itemState(h), "unverified, version 1");
    });

    it("deleting the item keeps its credential for a restore; the next save without it revokes it: the SDK says revoked", async () => {
      const h = await signUpHolder(s.url);
      const email = unique("revoked");
      const credential = await attestationFor(h, email);
      assert.equal((await present(h, email, credential)).json().verification, "verified");
      assert.equal((await sdkCheck(s, await presentation(h, credential), email)).verified, true);
      const item = await emailItem(h);
      const del = await h.agent.request("DELETE", `/api/vault/items/email?version=${item.version}`, { headers: { "x-csrf-token": h.agent.csrf } });
      assert.equal(del.status, 204, del.text);
      assert.equal((await sdkCheck(s, await presentation(h, credential), email)).verified, true, "a backup may bring it back");
      // What the backup restore does (src/web/vault/restore.ts): a new item, saved with its credential.
      const id = crypto.randomUUID();
      const sealed = await sealItem(h.vaultKey, { id, type: "email", version: 1 }, { email, attestations: [credential] });
      const restored = await h.agent.request("PUT", "/api/vault/items/email", { json: { ...sealed, id, version: 0, fileIds: [], attestation: credential } });
      assert.equal(restored.json().verification, "verified", "restored with its credential");
      const other = await saveItem(h, "email", { email: unique("other") }, { id: restored.json().id, version: restored.json().version });
      assert.equal(other.res.json().verification, "unverified");
      const check = await sdkCheck(s, await presentation(h, credential), email);
      assert.equal(check.verified, false);
      assert.equal(check.reason, "revoked");
      const again = await present(h, email, credential);
      assert.equal(again.status, 400);
      assert.match(again.json().fields.attestation, /revoked/);
    });

    it("changing the address revokes the old credential; a new one replaces it; deleting the account revokes that", async () => {
      const h = await signUpHolder(s.url);
      const first = unique("first");
      const c1 = await attestationFor(h, first);
      assert.equal((await present(h, first, c1)).json().verification, "verified");
      const item = await emailItem(h);
      const changed = await saveItem(h, "email", { email: unique("changed") }, { id: item.id, version: item.version });
      assert.equal(changed.res.json().verification, "unverified");
      assert.equal((await sdkCheck(s, await presentation(h, c1), first)).reason, "revoked");

      const second = unique("second");
      const c2 = await attestationFor(h, second);
      assert.equal((await present(h, second, c2)).json().verification, "verified");
      assert.equal((await sdkCheck(s, await presentation(h, c2), second)).verified, true);
      const { id } = (await s.app.container.accounts.getByEmail(h.email))!;
      await s.app.container.accounts.deleteByOperator(id);
      assert.equal((await sdkCheck(s, await presentation(h, c2), second)).reason, "revoked");
    });

    it("parallel issues get distinct status entries (lists of 16 fill and new ones start); parallel revocations all land", async () => {
      const hs = await Promise.all(Array.from({ length: 6 }, () => signUpHolder(s.url)));
      const emails = hs.map(() => unique("parallel"));
      await Promise.all(hs.map((h) => keysOf(h)));
      // Three credentials per holder, all issued at once: 18 entries, more than one list of 16.
      const c = s.app.container;
      // Holders in parallel, each one's three in turn (so the last is the newest).
      const perHolder = await Promise.all(
        hs.map(async (h, i) => {
          const { id } = (await c.accounts.getByEmail(h.email))!;
          const out = [];
          for (const k of [0, 1, 2]) {
            const email = emails[i]!.replace("@", `+${k}@`);
            await c.emailVerification.sendCode(id, email, "198.51.100.9");
            out.push({ h, email, credential: await c.emailVerification.verify(id, email, latestCode(s, email), (await keysOf(h)).signingJwk as never) });
          }
          return out;
        }),
      );
      const issued = perHolder.flat();
      const entries = await Promise.all(issued.map(async (x) => (await inspectCredential(x.credential)).status!.status_list!));
      const keys = new Set(entries.map((e) => `${e.uri}#${e.idx}`));
      assert.equal(keys.size, issued.length, "every credential has its own status entry");
      assert.ok(new Set(entries.map((e) => e.uri)).size >= 2, "a full list of 16 made way for a new one");

      // Each holder saves the last of theirs (revoking the two it replaces), all at once.
      const last = hs.map((h) => issued.filter((x) => x.h === h).at(-1)!);
      const saves = await Promise.all(last.map((x) => present(x.h, x.email, x.credential)));
      assert.deepEqual(saves.map((r) => r.json().verification), hs.map(() => "verified"));
      const checks = await Promise.all(issued.map(async (x) => (await sdkCheck(s, await presentation(x.h, x.credential), x.email)).reason ?? "verified"));
      assert.deepEqual(
        checks.map((r, i) => `${i}:${r}`),
        issued.map((x, i) => `${i}:${last.includes(x) ? "verified" : "revoked"}`),
      );
    });

    it("limits how many codes are sent", async () => {
      const h = await signUpHolder(s.url);
      for (let i = 0; i < 5; i++) assert.equal((await send(h, `many${i}-${Date.now()}@example.org`)).status, 202);
      const res = await send(h, `many6-${Date.now()}@example.org`);
      assert.equal(res.status, 429);
      assert.equal((await send(h, "not an email")).status, 400);
    });

    it("the issue-8 migration still un-verifies verified email items (those of unbound attestations)", async () => {
      const h = await signUpHolder(s.url);
      const email = unique("legacy");
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
