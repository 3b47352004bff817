// The CLI agent at service level: keys made locally (private keys only in a 0600 file), the queue
// worked with the credentials library, credentials that verify against the published key.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CREDENTIAL_TYP, SUBMISSION_TYP, generateVerifierKeys, openJson, presentCredential, sealJson, verifyPresentation } from "../../src/credentials/index.js";
import { initAgentKeys, loadAgentKeys, reviewQueue } from "../../src/cli/agent.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { readVault, saveItem } from "../helpers/vault.js";
import { keyedHolder, type KeyedHolder, uniqueSlug } from "./helpers.js";

pgNotice();

const DETAILS = { first_name: "Ada", last_name: "Lovelace", birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" };
const PASSPORT = { document_no: "P7654321", expiry_date: "2030-06-30" };

/** As the vault page seals a submission (src/web/vault/submission.ts). */
async function submitAsBrowser(s: TestServer, h: KeyedHolder, slug: string, types: string[]) {
  const verifier = (await h.agent.get("/api/verifiers")).json().verifiers.find((v: { slug: string }) => v.slug === slug);
  const vault = await readVault(h);
  const chosen = vault.items.filter((i: { type: string }) => types.includes(i.type));
  const fieldsOf: Record<string, unknown> = { personal_details: DETAILS, passport: PASSPORT };
  const payload = { items: chosen.map((i: { id: string; type: string; version: number }) => ({ id: i.id, type: i.type, version: i.version, fields: fieldsOf[i.type], files: [] })), holder: { signingJwk: h.keys.signingJwk } };
  const sealed = await sealJson(verifier.encryption_jwk, payload, SUBMISSION_TYP);
  const res = await h.agent.request("POST", "/api/vault/submissions", { json: { verifier: slug, items: chosen.map((i: { id: string; version: number }) => ({ itemId: i.id, version: i.version })), sealed, fileIds: [] } });
  assert.equal(res.status, 201, res.text);
  return res.json().submission.id as string;
}

for (const db of databases()) {
  describe(`verifier agent (${db})`, () => {
    let s: TestServer;
    let dir: string;
    before(async () => {
      s = await startServer(db);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-"));
    });
    after(async () => {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keys-init: private keys only in a 0600 file, public ones registered; never twice, never over a file", async () => {
      const c = s.app.container;
      const slug = uniqueSlug("agent");
      await c.verifiers.create({ slug, name: "Agent KYC", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp"] });
      const taken = path.join(dir, `taken-${slug}.json`);
      fs.writeFileSync(taken, "{}");
      await assert.rejects(initAgentKeys(c, slug, taken), /never overwrites/);
      assert.equal((await c.verifiers.get(slug)).signingJwk, null, "nothing registered");
      const file = path.join(dir, `${slug}.json`);
      const r = await initAgentKeys(c, slug, file);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const stored = JSON.parse(fs.readFileSync(file, "utf8"));
      assert.ok(stored.privateJwks.signing.d && stored.privateJwks.encryption.d);
      const v = await c.verifiers.get(slug);
      assert.equal(v.signingJwk!.kid, r.kid);
      const rows = await c.ds.query(`SELECT signing_jwk, encryption_jwk FROM verifiers WHERE slug = ${db === "postgres" ? "$1" : "?"}`, [slug]);
      assert.doesNotMatch(JSON.stringify(rows), /"d"/);
      assert.doesNotMatch(JSON.stringify(rows), new RegExp(stored.privateJwks.signing.d));
      const meta = await (await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/${slug}`)).json();
      assert.equal(meta.jwks.keys[0].kid, r.kid);
      await assert.rejects(initAgentKeys(c, slug, path.join(dir, "again.json")), /has keys already/);
      assert.ok(!fs.existsSync(path.join(dir, "again.json")));
      // A key file of other keys is refused.
      const other = path.join(dir, "other.json");
      fs.writeFileSync(other, JSON.stringify({ privateJwks: (await generateVerifierKeys()).privateJwks }));
      await assert.rejects(loadAgentKeys(c, slug, other), /does not hold/);
    });

    it("review: approves the queue with SD-JWT VCs bound to the holder, rejects through a decision, skips what it cannot open", async () => {
      const c = s.app.container;
      const slug = uniqueSlug("agent");
      await c.verifiers.create({ slug, name: "Agent KYC", trustFramework: "de_aml", assuranceLevel: "substantial", evidenceMethods: ["sripp"] });
      const file = path.join(dir, `${slug}.json`);
      await initAgentKeys(c, slug, file);
      const keys = await loadAgentKeys(c, slug, file);

      const h = await keyedHolder(s);
      await saveItem(h, "personal_details", DETAILS);
      await saveItem(h, "passport", PASSPORT);
      const approvedId = await submitAsBrowser(s, h, slug, ["personal_details", "passport"]);
      const r2 = await keyedHolder(s);
      await saveItem(r2, "passport", PASSPORT);
      const rejectedId = await submitAsBrowser(s, r2, slug, ["passport"]);
      // A submission sealed to some other key: the agent cannot open it and leaves it.
      const r3 = await keyedHolder(s);
      const { id: other } = await saveItem(r3, "passport", PASSPORT);
      const foreign = await sealJson((await generateVerifierKeys()).publicJwks.encryption, { items: [] }, SUBMISSION_TYP);
      const f = await r3.agent.request("POST", "/api/vault/submissions", { json: { verifier: slug, items: [{ itemId: other, version: 1 }], sealed: foreign } });
      assert.equal(f.status, 201);

      const summary = await reviewQueue(c, slug, keys, async (sub) =>
        sub.id === rejectedId ? { decision: "reject", reasons: [{ itemType: "passport", kind: "selfie", message: "no selfie" }] } : { decision: "approve" },
        { maxDays: 3650 },
      );
      assert.deepEqual(summary.approved, [approvedId]);
      assert.deepEqual(summary.rejected, [rejectedId]);
      assert.equal(summary.skipped.length, 1);
      assert.equal(summary.skipped[0]!.id, f.json().submission.id);

      const vault = await readVault(h);
      assert.deepEqual(vault.items.map((i: { verification: string }) => i.verification), ["verified", "verified"]);
      const creds = (await h.agent.get("/api/vault/credentials")).json().credentials;
      assert.equal(creds.length, 2);
      const pd = creds.find((x: { type: string }) => x.type === "personal_details");
      assert.equal(pd.verification.trust_framework, "de_aml");
      assert.equal(pd.expiresAt, Date.parse("2030-06-30T23:59:59Z"), "valid until the passport expires (within the cap)");
      const sdJwt = await openJson<string>(h.keys.encryptionKey, pd.sealed, CREDENTIAL_TYP);
      const presentation = await presentCredential(sdJwt, ["age_over_18"], h.keys.signingKey, { aud: "rp", nonce: "n" });
      const meta = await (await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/${slug}`)).json();
      const result = await verifyPresentation(presentation, { aud: "rp", nonce: "n", keys: async (_iss, kid) => meta.jwks.keys.find((k: { kid: string }) => k.kid === kid) ?? null, status: async (uri) => (await fetch(uri)).text() });
      assert.equal(result.verified, true, result.reason);
      assert.equal(result.claims.age_over_18, true);
      assert.equal(result.claims.birth_date, undefined, "only what was disclosed");
      const rejected = (await r2.agent.get("/api/vault/submissions")).json().submissions[0];
      assert.equal(rejected.state, "rejected");
      assert.deepEqual(rejected.reasons, [{ itemType: "passport", kind: "selfie", message: "no selfie" }]);
      // Run again: nothing new is decided.
      const again = await reviewQueue(c, slug, keys, async () => ({ decision: "approve" }));
      assert.deepEqual([again.approved.length, again.rejected.length, again.skipped.length], [0, 0, 1]);
    });
  });
}
