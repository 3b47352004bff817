// Requests for verified data in the OpenID Connect for Identity Assurance shape, read into a typed
// constraint (and refused when malformed), the derived-claims scope, and which of a holder's
// credentials meets a constraint (from the metadata GET /api/vault/credentials returns).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseShareRequest, ShareRequestError } from "../../src/sharing/request.js";
import { credentialFor, unmet, verifiersMeeting, whyNoneFor, type HeldCredential, type PublicVerifier } from "../../src/sharing/verified.js";
import type { VerificationConstraint } from "../../src/sharing/verification-request.js";

const vc = (verification: unknown, claims: Record<string, unknown> = {}) => JSON.stringify({ userinfo: { verified_claims: { verification, claims } } });

describe("verified_claims.verification requests", () => {
  it("reads trust_framework and assurance_level as value or values, time.max_age and evidence types", () => {
    const r = parseShareRequest(
      "openid passport:passport",
      vc({ trust_framework: { values: ["eidas", "de_aml"] }, assurance_level: { value: "high" }, time: { max_age: 86400 }, evidence: [{ type: { value: "document" } }] }),
    );
    assert.equal(r.verifiedOnly, true);
    assert.deepEqual(r.verification, { trustFrameworks: ["eidas", "de_aml"], assuranceLevels: ["high"], maxAgeSeconds: 86400, evidence: ["document"] });
    assert.equal(r.derived, null);
  });

  it("keeps {trust_framework: null} (and null itself) meaning verified to any standard", () => {
    const any = { trustFrameworks: null, assuranceLevels: null, maxAgeSeconds: null, evidence: null };
    assert.deepEqual(parseShareRequest("openid passport:passport", vc({ trust_framework: null })).verification, any);
    assert.deepEqual(parseShareRequest("openid passport:passport", vc(null)).verification, any);
    const none = parseShareRequest("openid passport:passport", undefined);
    assert.equal(none.verifiedOnly, false);
    assert.equal(none.verification, null);
  });

  const refused: [string, unknown, RegExp][] = [
    ["an unknown member", { trust_framework: null, method: "x" }, /verification\.method is not supported/],
    ["trust_framework as a string", { trust_framework: "eidas" }, /trust_framework must be null, \{"value"/],
    ["both value and values", { trust_framework: { value: "eidas", values: ["eidas"] } }, /both value and values/],
    ["empty values", { assurance_level: { values: [] } }, /values must be a list of 1 to 20/],
    ["a value that is not a string", { assurance_level: { value: 3 } }, /assurance_level\.value must be a non-empty string/],
    ["an unknown member of a constraint", { trust_framework: { max: 1 } }, /trust_framework\.max is not supported/],
    ["max_age that is not a whole number", { time: { max_age: "1y" } }, /max_age must be a whole number/],
    ["max_age below one", { time: { max_age: 0 } }, /max_age must be a whole number/],
    ["evidence that is not a list", { evidence: { type: { value: "document" } } }, /evidence must be a list/],
    ["evidence without a type", { evidence: [{}] }, /evidence\[0\]\.type must name/],
    ["an evidence type no verifier produces", { evidence: [{ type: { value: "vouch" } }] }, /evidence\[0\]\.type vouch is not supported/],
    ["verification as a list", [1], /verification must be an object or null/],
  ];
  for (const [what, verification, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseShareRequest("openid passport:passport", vc(verification)), (err: Error) => err instanceof ShareRequestError && message.test(err.message));
    });
  }
});

describe("passport:derived", () => {
  it("alone asks whether the identity is verified: no document entries, no claims", () => {
    const r = parseShareRequest("openid passport:derived", undefined);
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.derived, { claims: {} });
  });

  it("reads derived claims with how much each is wanted, beside documents and a constraint", () => {
    const r = parseShareRequest("openid passport:derived passport:email", vc({ trust_framework: { value: "eidas" } }, { derived: { age_over_18: { essential: true }, nationality: null } }));
    assert.deepEqual(r.derived, { claims: { age_over_18: "required", nationality: "optional" } });
    assert.deepEqual(r.entries.map((e) => e.key), ["email"]);
    assert.deepEqual(r.verification?.trustFrameworks, ["eidas"]);
  });

  it("refuses unknown derived claims, bad members and derived claims without the scope", () => {
    assert.throws(() => parseShareRequest("openid passport:derived", vc(null, { derived: { age_over_19: null } })), /age_over_19 is not a derived claim/);
    assert.throws(() => parseShareRequest("openid passport:derived", vc(null, { derived: { age_over_18: true } })), /age_over_18 must be null or an object/);
    assert.throws(() => parseShareRequest("openid passport:derived", vc(null, { derived: ["age_over_18"] })), /derived must be null or an object/);
    assert.throws(() => parseShareRequest("openid passport:passport", vc(null, { derived: { age_over_18: null } })), /derived needs the scope passport:derived/);
  });

  it("records essential fields of a document request", () => {
    const r = parseShareRequest("openid passport:passport", vc(null, { passport: { document_no: { essential: true }, expiry_date: null } }));
    assert.deepEqual(r.entries[0]!.options.fields, ["document_no", "expiry_date"]);
    assert.deepEqual(r.entries[0]!.options.essential, ["document_no"]);
  });
});

const NOW = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400_000;

function cred(over: Partial<HeldCredential> & { tf?: string; level?: string; time?: string } = {}): HeldCredential {
  const { tf = "eidas", level = "high", time = new Date(NOW - 10 * DAY).toISOString(), ...rest } = over;
  return {
    id: "c1",
    itemId: "item-1",
    itemVersion: 2,
    type: "passport",
    verifier: { slug: "kyc", name: "KYC desk", issuer: "https://p.example/verifiers/kyc", trust_framework: tf, assurance_level: level },
    verification: { trust_framework: tf, assurance_level: level, time, evidence: [{ type: "document", method: "pipp" }] },
    sealed: "x.y.z.w.v",
    issuedAt: NOW - 10 * DAY,
    expiresAt: NOW + 300 * DAY,
    revoked: false,
    current: true,
    ...rest,
  };
}

const constraint = (c: Partial<VerificationConstraint> = {}): VerificationConstraint => ({ trustFrameworks: null, assuranceLevels: null, maxAgeSeconds: null, evidence: null, ...c });

describe("which credential meets a constraint", () => {
  it("accepts a current, unexpired, unrevoked credential under an accepted framework and level", () => {
    const c = constraint({ trustFrameworks: ["de_aml", "eidas"], assuranceLevels: ["high"], maxAgeSeconds: 30 * 86400, evidence: ["document"] });
    assert.equal(unmet(cred(), c, NOW), null);
    assert.equal(unmet(cred(), null, NOW), null, "no constraint: any valid credential");
    assert.equal(unmet(cred(), c, NOW, { id: "item-1", version: 2 }), null);
  });

  const cases: [string, HeldCredential, VerificationConstraint | null, string, { id: string; version: number }?][] = [
    ["an outdated one (the server says so)", cred({ current: false }), null, "not_current"],
    ["an outdated one (the item's version moved on)", cred(), null, "not_current", { id: "item-1", version: 3 }],
    ["a revoked one", cred({ revoked: true }), null, "revoked"],
    ["an expired one (ISO time)", cred({ expiresAt: new Date(NOW - 1).toISOString() }), null, "expired"],
    ["an expired one (seconds)", cred({ expiresAt: Math.floor(NOW / 1000) - 5 }), null, "expired"],
    ["another framework", cred({ tf: "de_aml" }), constraint({ trustFrameworks: ["eidas"] }), "trust_framework"],
    ["another level", cred({ level: "substantial" }), constraint({ assuranceLevels: ["high"] }), "assurance_level"],
    ["a verification older than max_age", cred({ time: new Date(NOW - 40 * DAY).toISOString() }), constraint({ maxAgeSeconds: 30 * 86400 }), "too_old"],
    ["other evidence", { ...cred(), verification: { trust_framework: "eidas", evidence: [{ type: "electronic_record" }] } }, constraint({ evidence: ["document"] }), "evidence"],
  ];
  for (const [what, c, con, reason, item] of cases) {
    it(`refuses ${what}: ${reason}`, () => assert.equal(unmet(c, con, NOW, item), reason));
  }

  it("picks the newest fitting credential of the type, and says why none fits", () => {
    const older = cred({ id: "old", issuedAt: NOW - 20 * DAY });
    const newer = cred({ id: "new", issuedAt: NOW - 2 * DAY });
    const other = cred({ id: "pd", type: "personal_details" });
    assert.equal(credentialFor("passport", [older, newer, other], null, NOW)?.id, "new");
    assert.equal(credentialFor("passport", [older, cred({ id: "x", revoked: true, issuedAt: NOW })], null, NOW)?.id, "old");
    const eidas = constraint({ trustFrameworks: ["eidas"] });
    assert.equal(credentialFor("passport", [cred({ tf: "de_aml" })], eidas, NOW), null);
    assert.equal(whyNoneFor("passport", [cred({ tf: "de_aml" }), cred({ revoked: true })], eidas, NOW), "trust_framework");
    assert.equal(whyNoneFor("passport", [other], eidas, NOW), "none");
  });

  it("names the verifiers that check the type to the standard", () => {
    const v = (slug: string, tf: string, level: string | null, accepts: string[]): PublicVerifier => ({ slug, name: slug, issuer: `https://p.example/verifiers/${slug}`, trust_framework: tf, assurance_level: level, evidence_methods: ["pipp"], accepts });
    const list = [v("bank", "eidas", "high", ["passport", "personal_details"]), v("notary", "de_aml", "substantial", ["passport"]), v("post", "eidas", "substantial", ["identity_card"])];
    assert.deepEqual(verifiersMeeting(list, "passport", constraint({ trustFrameworks: ["eidas"] })).map((x) => x.slug), ["bank"]);
    assert.deepEqual(verifiersMeeting(list, "passport", null).map((x) => x.slug), ["bank", "notary"]);
    assert.deepEqual(verifiersMeeting(list, "passport", constraint({ assuranceLevels: ["substantial"] })).map((x) => x.slug), ["notary"]);
    assert.deepEqual(verifiersMeeting(list, "address", null), []);
  });
});
