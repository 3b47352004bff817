// Verified data delivered to a relying party, end to end: openid-client asks in the OpenID Connect
// for Identity Assurance shape, the holder's side (the consent composer, as the page runs it)
// presents a verifier's SD-JWT VC with only the disclosures asked for and allowed, bound to the
// client's id and nonce, and the relying party verifies it against the verifier's pinned key:
// verified personal details; "over 18" with no document at all; and each way a presentation can
// fail (tampered or extra disclosure, key binding for another audience or nonce, expired,
// revoked, signed by an unknown key) reported unverified with its reason.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { b64uDecode, b64uEncode } from "../../src/crypto/base64url.js";
import { presentCredential, verifyPresentation, type HolderKeys } from "../../src/credentials/index.js";
import { composePayload, defaultChoice, type ConsentData } from "../../src/sharing/compose.js";
import { verifyCredentials, type PassportPayload, type VerifyCredentialsOptions } from "../../src/sdk/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { authRequest } from "../helpers/oidc.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument, updateDocument, type StoredDocument } from "./documents.js";
import { apiVerifier, heldCredentials, publishedKeys, revokeThroughApi, storeHolderKeys, verifyThroughApi, type ApiVerifier } from "./verifier-api.js";
import { verifiedInput as openHeld } from "./verifier-fixture.js";
import { registerPassportRp, sharePassport, type PassportRp } from "./flow.js";
import { holderKeysFor, issueFor, revoke, rpOptions, testVerifier, verifiedInput, type Issued, type TestVerifier } from "./verifier-fixture.js";

pgNotice();

const DAY = 86_400_000;
/** The SDK's options for verifiers played by the test: keys pinned, status lists served from memory. */
function pinned(verifiers: TestVerifier[], o: { issuer: string; clientId: string; nonce: string }): VerifyCredentialsOptions {
  return {
    ...o,
    pinnedKeys: Object.fromEntries(verifiers.map((x) => [x.issuer, [x.keys.publicJwks.signing]])),
    fetch: (async (url: string | URL) => {
      const v = verifiers.find((x) => x.statusUri === String(url));
      return v ? new Response(v.statusToken, { headers: { "content-type": "application/statuslist+jwt" } }) : new Response("not found", { status: 404 });
    }) as typeof fetch,
  };
}

const verifiedClaims = (verification: unknown, claims: Record<string, unknown>) => JSON.stringify({ userinfo: { verified_claims: { verification, claims } } });

for (const db of databases()) {
  describe(`sharing: verified claims (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    let v: TestVerifier;
    let holder: HolderKeys;
    let pd: StoredDocument;
    let passport: StoredDocument;
    let pdCred: Issued;
    let passportCred: Issued;

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      pd = await storeDocument(h, "personal_details");
      passport = await storeDocument(h, "passport");
      rp = await registerPassportRp(s);
      v = await testVerifier(s.url);
      holder = await holderKeysFor(h);
      pdCred = await issueFor(v, holder, pd);
      passportCred = await issueFor(v, holder, passport);
    });
    after(() => s.close());

    it("discovery advertises verified_claims, the trust frameworks, evidence, documents and claims", () => {
      const meta = rp.config.serverMetadata() as Record<string, unknown>;
      assert.equal(meta.verified_claims_supported, true);
      assert.deepEqual(meta.trust_frameworks_supported, ["eidas", "de_aml", "passport_email"]);
      assert.deepEqual(meta.evidence_supported, ["document", "electronic_record"]);
      assert.deepEqual(meta.documents_supported, ["passport", "driving_permit", "idcard", "internal_passport"]);
      const claims = meta.claims_in_verified_claims_supported as string[];
      for (const c of ["first_name", "birth_date", "document_no", "age_over_18", "nationality", "document_valid"]) assert.ok(claims.includes(c), c);
      assert.ok((meta.scopes_supported as string[]).includes("passport:derived"));
    });

    it("delivers verified personal details: the fields asked for and allowed, attested, bound to this client", async () => {
      const claims = verifiedClaims({ trust_framework: { values: ["eidas"] }, assurance_level: { value: "high" } }, { personal_details: { first_name: { essential: true }, last_name: null, birth_date: null } });
      const { payload, req, consent } = await sharePassport(s, rp, h, "openid passport:personal_details", {
        params: { claims },
        verified: await verifiedInput(holder, [pdCred.meta]),
        choose: (_c, choices) => {
          // The holder unticks the birth date; the essential first name cannot be left out.
          choices.get("personal_details")!.withheld = ["birth_date", "first_name"];
        },
      });
      assert.deepEqual(consent.request.verification, { trustFrameworks: ["eidas"], assuranceLevels: ["high"], maxAgeSeconds: null, evidence: null });
      const doc = payload.data.personal_details!;
      assert.deepEqual(doc.fields, { first_name: "Anna", last_name: "Schmidt" });
      assert.deepEqual(doc.verified_claims!.claims, { first_name: "Anna", last_name: "Schmidt" });
      assert.equal(doc.verified_claims!.verification.trust_framework, "eidas");
      assert.equal(doc.verified_claims!.verification.assurance_level, "high");
      const r = await verifyPresentation(doc.credential!, rpOptions([v], { aud: rp.clientId, nonce: req.nonce }));
      assert.equal(r.verified, true, r.message);
      assert.deepEqual(r.claims, { first_name: "Anna", last_name: "Schmidt" }, "only the two disclosures travel");
      assert.equal(r.iss, v.issuer);
      // The SDK says the same, claim by claim.
      const report = await verifyCredentials(payload, pinned([v], { issuer: s.url, clientId: rp.clientId, nonce: req.nonce }));
      assert.equal(report.verified, true, JSON.stringify(report.items));
      assert.deepEqual(Object.keys(report.items[0]!.claims).sort(), ["first_name", "last_name"]);
      assert.equal(report.items[0]!.verification?.trust_framework, "eidas");
    });

    it("answers passport:derived with age_over_18 alone: no birth date, no document data, no scans", async () => {
      const claims = verifiedClaims({ trust_framework: { value: "eidas" } }, { derived: { age_over_18: { essential: true } } });
      const { payload, req, tokens } = await sharePassport(s, rp, h, "openid passport:derived", { params: { claims }, verified: await verifiedInput(holder, [passportCred.meta, pdCred.meta]) });
      assert.deepEqual(payload.data, {}, "no document data at all");
      assert.deepEqual(payload.derived!.verified_claims.claims, { age_over_18: true });
      assert.equal(payload.derived!.verified_claims.verification.trust_framework, "eidas");
      const r = await verifyPresentation(payload.derived!.credential, rpOptions([v], { aud: rp.clientId, nonce: req.nonce }));
      assert.equal(r.verified, true, r.message);
      assert.deepEqual(r.claims, { age_over_18: true }, "neither the birth date nor a name is disclosed");
      const report = await verifyCredentials(payload, pinned([v], { issuer: s.url, clientId: rp.clientId, nonce: req.nonce }));
      assert.equal(report.verified, true, JSON.stringify(report.items));
      assert.deepEqual(report.items.map((i) => i.item), ["derived"]);
      assert.deepEqual(report.items[0]!.claims, { age_over_18: { verified: true, value: true } });
      assert.ok(!JSON.stringify(payload).includes(String(pd.data.birth_date)), "the birth date appears nowhere in the payload");
      assert.ok(!JSON.stringify(payload).includes(String(passport.data.document_no)), "nor a document number");
      // No scan can be fetched with this grant.
      const files = await fetch(`${s.url}/passport/files/${passport.scans[0]!.id}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.ok(files.status >= 400 && files.status < 500, `scan download answered ${files.status}`);
    });

    it("the server refuses scans with a derived-only answer, even ones the holder owns", async () => {
      const req = await authRequest(rp.config, { scope: "openid passport:derived" });
      const uid = new URL((await h.agent.follow(req.url.toString())).url).pathname.split("/")[2];
      const consent = (await h.agent.request("GET", `/interaction/${uid}/passport`)).json<ConsentData>();
      const items = (await h.agent.request("GET", "/api/vault")).json().items;
      const sealed = await composePayload(h.vaultKey, consent, items, new Map(), Date.now(), await verifiedInput(holder, [pdCred.meta]));
      assert.deepEqual(sealed, { ...sealed, types: [], fileIds: [] });
      const res = await h.agent.request("POST", `/interaction/${uid}/share`, { json: { ...sealed, fileIds: [passport.scans[0]!.id] } });
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /no files may go/);
    });

    it("passport:derived alone says the identity is verified, disclosing nothing else", async () => {
      const { payload, req } = await sharePassport(s, rp, h, "openid passport:derived", { verified: await verifiedInput(holder, [pdCred.meta]) });
      assert.deepEqual(payload.data, {});
      assert.deepEqual(payload.derived!.verified_claims.claims, {});
      const r = await verifyPresentation(payload.derived!.credential, rpOptions([v], { aud: rp.clientId, nonce: req.nonce }));
      assert.equal(r.verified, true, r.message);
      assert.deepEqual(r.claims, {});
    });

    it("refuses to compose an answer when no item meets the requested standard", async () => {
      const claims = verifiedClaims({ trust_framework: { value: "de_aml" } }, {});
      const req = await authRequest(rp.config, { scope: "openid passport:personal_details", claims });
      const page = await h.agent.follow(req.url.toString());
      const uid = new URL(page.url).pathname.split("/")[2];
      const consent = (await h.agent.request("GET", `/interaction/${uid}/passport`)).json<ConsentData>();
      const items = (await h.agent.request("GET", "/api/vault")).json().items;
      const choices = new Map(consent.request.entries.map((e) => [e.key, defaultChoice(e, new Set(["personal_details"]))]));
      await assert.rejects(composePayload(h.vaultKey, consent, items, choices, Date.now(), await verifiedInput(holder, [pdCred.meta])), /not verified to the standard/);
      const derived = verifiedClaims({ trust_framework: { value: "de_aml" } }, { derived: { age_over_18: null } });
      const req2 = await authRequest(rp.config, { scope: "openid passport:derived", claims: derived });
      const uid2 = new URL((await h.agent.follow(req2.url.toString())).url).pathname.split("/")[2];
      const consent2 = (await h.agent.request("GET", `/interaction/${uid2}/passport`)).json<ConsentData>();
      await assert.rejects(composePayload(h.vaultKey, consent2, items, new Map(), Date.now(), await verifiedInput(holder, [pdCred.meta])), /none of your verified documents/);
    });

    describe("each broken presentation is reported unverified with its reason", () => {
      const AUD = "rp-client";
      const NONCE = "n-0123456789";
      /** The SDK's verdict on a payload carrying `credential` as the personal details' attestation. */
      const sdk = async (credential: string) => {
        const payload: PassportPayload = { v: 1, iss: s.url, aud: AUD, sub: "s", nonce: NONCE, iat: Math.floor(Date.now() / 1000), data: { personal_details: { version: 1, fields: {}, files: [], attestations: [], credential } } };
        const report = await verifyCredentials(payload, pinned([v], { issuer: s.url, clientId: AUD, nonce: NONCE }));
        return { verified: report.verified && report.items[0]!.verified, reason: report.items[0]!.reason, message: report.items[0]!.message };
      };
      const present = (sdJwt: string, names: string[], o: { aud?: string; nonce?: string } = {}) => presentCredential(sdJwt, names, holder.signingKey, { aud: o.aud ?? AUD, nonce: o.nonce ?? NONCE });
      /** Splits "jwt~d1~d2~kb" into its parts. */
      const parts = (p: string) => p.split("~");

      it("a valid one verifies (the baseline)", async () => {
        const r = await sdk(await present(pdCred.sdJwt, ["first_name"]));
        assert.equal(r.verified, true, r.message);
      });

      it("a tampered disclosure: tampered_disclosure", async () => {
        const p = parts(await present(pdCred.sdJwt, ["first_name"]));
        const [salt, name] = JSON.parse(new TextDecoder().decode(b64uDecode(p[1]!))) as [string, string, unknown];
        p[1] = b64uEncode(new TextEncoder().encode(JSON.stringify([salt, name, "Mallory"])));
        const r = await sdk(p.join("~"));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "tampered_disclosure", r.message);
      });

      it("an extra disclosure (repeated, foreign, or one of the credential's own the holder did not disclose): extra_disclosure", async () => {
        const name = (d: string) => JSON.parse(new TextDecoder().decode(b64uDecode(d)))[1];
        const withExtra = async (extra: (p: string[]) => string) => {
          const p = parts(await present(pdCred.sdJwt, ["first_name"]));
          p.splice(p.length - 1, 0, extra(p));
          return sdk(p.join("~"));
        };
        const repeated = await withExtra((p) => p[1]!);
        assert.equal(repeated.verified, false);
        assert.equal(repeated.reason, "extra_disclosure", repeated.message);
        const foreign = await withExtra(() => parts(passportCred.sdJwt).slice(1).find((d) => d && name(d) === "document_no")!);
        assert.equal(foreign.verified, false);
        assert.equal(foreign.reason, "extra_disclosure", foreign.message);
        // The birth date's disclosure is the issuer's own, but the holder's key binding does not cover it.
        const undisclosed = await withExtra(() => parts(pdCred.sdJwt).slice(1).find((d) => d && name(d) === "birth_date")!);
        assert.equal(undisclosed.verified, false);
        assert.equal(undisclosed.reason, "extra_disclosure", undisclosed.message);
      });

      it("a key-binding JWT for another audience: kb_wrong_audience", async () => {
        const r = await sdk(await present(pdCred.sdJwt, ["first_name"], { aud: "another-client" }));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "kb_wrong_audience", r.message);
      });

      it("a key-binding JWT for another nonce: kb_wrong_nonce", async () => {
        const r = await sdk(await present(pdCred.sdJwt, ["first_name"], { nonce: "another-nonce" }));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "kb_wrong_nonce", r.message);
      });

      it("an expired credential: expired", async () => {
        const old = await issueFor(v, holder, pd, { iat: Date.now() - 400 * DAY, exp: Date.now() - DAY });
        const r = await sdk(await present(old.sdJwt, ["first_name"]));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "expired", r.message);
      });

      it("a revoked credential: revoked", async () => {
        const c = await issueFor(v, holder, pd);
        const before = await sdk(await present(c.sdJwt, ["first_name"]));
        assert.equal(before.verified, true, before.message);
        await revoke(v, c.idx);
        const r = await sdk(await present(c.sdJwt, ["first_name"]));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "revoked", r.message);
      });

      it("a signature by a key the relying party does not know: unknown_key", async () => {
        const rogue = await testVerifier(s.url, { slug: "rogue" });
        const forged = await issueFor(v, holder, pd, { signingKey: rogue.keys.signingKey, kid: rogue.kid });
        const r = await sdk(await present(forged.sdJwt, ["first_name"]));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "unknown_key", r.message);
      });
    });

    describe("with credentials issued and stored through the server's verifier API", () => {
      let bank: ApiVerifier;
      let holder2: VaultHolder;
      let keys2: HolderKeys;
      let pd2: StoredDocument;
      let passport2: StoredDocument;

      before(async () => {
        bank = await apiVerifier(s, { slug: `bank-${db}`, name: "Example Bank KYC" });
        holder2 = await signUpHolder(s.url);
        keys2 = await storeHolderKeys(holder2);
        pd2 = await storeDocument(holder2, "personal_details");
        passport2 = await storeDocument(holder2, "passport");
        await verifyThroughApi(bank, holder2, keys2, [pd2, passport2]);
      });

      it("lists the holder's credentials with their public metadata, current and unrevoked", async () => {
        const held = await heldCredentials(holder2);
        assert.deepEqual(held.map((c) => c.type).sort(), ["passport", "personal_details"]);
        for (const c of held) {
          assert.equal(c.current, true);
          assert.equal(c.revoked, false);
          assert.equal(c.verifier.slug, bank.slug);
          assert.equal(c.verification.trust_framework, "eidas");
        }
      });

      it("discovery links the live list of verifiers, and each entry names where its signing keys are", async () => {
        const meta = rp.config.serverMetadata() as Record<string, unknown>;
        assert.equal(meta.passport_verifiers_uri, `${s.url}/api/verifiers`);
        const list = (await (await fetch(String(meta.passport_verifiers_uri))).json()) as { verifiers: { slug: string; issuer: string; metadata_uri: string }[] };
        const entry = list.verifiers.find((x) => x.slug === bank.slug)!;
        assert.equal(entry.metadata_uri, `${s.url}/.well-known/jwt-vc-issuer/verifiers/${bank.slug}`);
        const published = (await (await fetch(entry.metadata_uri)).json()) as { issuer: string; jwks: { keys: { kid?: string }[] } };
        assert.equal(published.issuer, entry.issuer);
        assert.equal(published.jwks.keys.length, 1);
      });

      it("delivers verified personal details and age_over_18 that a relying party checks against the published keys", async () => {
        const held = await heldCredentials(holder2);
        const claims = verifiedClaims({ trust_framework: { value: "eidas" }, evidence: [{ type: { value: "document" } }] }, { personal_details: { last_name: null }, derived: { age_over_18: null } });
        const { payload, req } = await sharePassport(s, rp, holder2, "openid passport:personal_details passport:derived", { params: { claims }, verified: await openHeld(keys2, held) });
        assert.deepEqual(payload.data.personal_details!.fields, { last_name: "Schmidt" });
        const doc = await verifyPresentation(payload.data.personal_details!.credential!, publishedKeys({ aud: rp.clientId, nonce: req.nonce }));
        assert.equal(doc.verified, true, doc.message);
        assert.deepEqual(doc.claims, { last_name: "Schmidt" });
        const age = await verifyPresentation(payload.derived!.credential, publishedKeys({ aud: rp.clientId, nonce: req.nonce }));
        assert.equal(age.verified, true, age.message);
        assert.deepEqual(age.claims, { age_over_18: true });
        // The SDK finds the bank's keys in the metadata the server publishes for it.
        const report = await verifyCredentials(payload, { issuer: s.url, clientId: rp.clientId, nonce: req.nonce });
        assert.equal(report.verified, true, JSON.stringify(report.items));
      });

      it("after the verifier revokes, the delivered presentation reports revoked and the next share is refused", async () => {
        const held = await heldCredentials(holder2);
        const pdHeld = held.find((c) => c.type === "personal_details")!;
        const claims = verifiedClaims({ trust_framework: null }, {});
        const { payload, req } = await sharePassport(s, rp, holder2, "openid passport:personal_details", { params: { claims }, verified: await openHeld(keys2, held) });
        const credential = payload.data.personal_details!.credential!;
        assert.equal((await verifyPresentation(credential, publishedKeys({ aud: rp.clientId, nonce: req.nonce }))).verified, true);
        const status = (await openHeld(keys2, [pdHeld])).credentials[0]!.summary.status!.status_list!;
        await revokeThroughApi(bank, s, pdHeld.id, status.uri, status.idx);
        const r = await verifyPresentation(credential, publishedKeys({ aud: rp.clientId, nonce: req.nonce }));
        assert.equal(r.verified, false);
        assert.equal(r.reason, "revoked", r.message);
        const report = await verifyCredentials(payload, { issuer: s.url, clientId: rp.clientId, nonce: req.nonce });
        assert.equal(report.verified, false);
        assert.equal(report.items[0]!.reason, "revoked");
        const after = await heldCredentials(holder2);
        assert.equal(after.find((c) => c.id === pdHeld.id)!.revoked, true);
        await assert.rejects(
          sharePassport(s, rp, holder2, "openid passport:personal_details", { params: { claims }, verified: await openHeld(keys2, after) }),
          /not verified to the standard/,
        );
      });

      it("a changed item is no longer verified: its credential is not current", async () => {
        await updateDocument(holder2, passport2, { expiry_date: "2033-01-01" });
        const held = await heldCredentials(holder2);
        assert.equal(held.find((c) => c.type === "passport")!.current, false);
        const claims = verifiedClaims({ trust_framework: null }, {});
        await assert.rejects(sharePassport(s, rp, holder2, "openid passport:passport", { params: { claims }, verified: await openHeld(keys2, held) }), /not verified to the standard/);
      });
    });
  });
}
