// The SDK's verifyCredentials over an opened payload: keys from the verifier's published SD-JWT VC
// issuer metadata (served here by a fake fetch) or pinned, the status list fetched, each item and
// each claim reported with its reason. The server-side end to end lives with the sharing tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { presentCredential, revokeInStatusListToken } from "../../src/credentials/index.js";
import { issuerMetadataUrl, verifyCredentials } from "../../src/sdk/index.js";
import type { PassportPayload } from "../../src/sharing/payload.js";
import { AUD, NONCE, ISSUER, PASSPORT_ISSUER, PERSON, PASSPORT, STATUS_URI, setup } from "../credentials/fixtures.js";

const ctx = await setup();
const personal = await ctx.issue("personal_details", { idx: 1 });
const passport = await ctx.issue("passport", { idx: 2 });
const present = (sd: string, names: string[], aud = AUD) => presentCredential(sd, names, ctx.holder.keys.signingKey, { aud, nonce: NONCE });

/** A fetch that serves the verifier's metadata and status list, and records what was asked. */
function fakeFetch(over: { metadata?: unknown } = {}) {
  const asked: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    asked.push(url);
    if (url === `${PASSPORT_ISSUER}/.well-known/jwt-vc-issuer/verifiers/kyc`) return Response.json(over.metadata ?? { issuer: ISSUER, jwks: { keys: [ctx.verifier.publicJwks.signing] } });
    if (url === STATUS_URI) return new Response(ctx.statusToken, { headers: { "content-type": "application/statuslist+jwt" } });
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
  return { impl, asked };
}

const base = { v: 1, iss: PASSPORT_ISSUER, aud: AUD, sub: "sub-1", nonce: NONCE, iat: Math.floor(Date.now() / 1000) };
const doc = (fields: Record<string, unknown>, credential?: string) => ({ version: 1, fields, files: [], attestations: [], ...(credential ? { credential, verified_claims: { verification: {}, claims: fields } } : {}) });

test("issuer metadata lives under /.well-known/jwt-vc-issuer plus the issuer's path", () => {
  assert.equal(issuerMetadataUrl("https://id.example/verifiers/kyc"), "https://id.example/.well-known/jwt-vc-issuer/verifiers/kyc");
  assert.equal(issuerMetadataUrl("https://kyc.example.org"), "https://kyc.example.org/.well-known/jwt-vc-issuer");
});

test("verified personal details and derived claims, claim by claim; a self-asserted item is reported as such", async () => {
  const names = ["first_name", "last_name", "birth_date"];
  const fields = Object.fromEntries(names.map((n) => [n, PERSON[n as keyof typeof PERSON]]));
  const payload: PassportPayload = {
    ...base,
    data: { personal_details: doc(fields, await present(personal, names)), address: doc({ city: "Lyon" }) },
    derived: { credential: await present(personal, ["age_over_18"]), verified_claims: { verification: {}, claims: { age_over_18: true } } },
  };
  const f = fakeFetch();
  const report = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: f.impl });
  const pd = report.items.find((i) => i.item === "personal_details")!;
  assert.equal(pd.verified, true, pd.message);
  assert.deepEqual(pd.claims.birth_date, { verified: true, value: PERSON.birth_date });
  assert.equal(pd.verification?.trust_framework, "eidas");
  const derived = report.items.find((i) => i.item === "derived")!;
  assert.equal(derived.verified, true);
  assert.deepEqual(derived.claims, { age_over_18: { verified: true, value: true } });
  const address = report.items.find((i) => i.item === "address")!;
  assert.deepEqual([address.verified, address.reason, address.claims.city?.reason], [false, "not_attested", "not_attested"]);
  assert.equal(report.verified, false, "one item is self-asserted");
  assert.equal(f.asked.filter((u) => u.includes("jwt-vc-issuer")).length, 1, "metadata fetched once per issuer");
});

test("a field that differs from the attestation, or one it does not disclose, is not verified", async () => {
  const payload: PassportPayload = { ...base, data: { passport: doc({ document_no: "FORGED", expiry_date: PASSPORT.expiry_date }, await present(passport, ["document_no"])) } };
  const report = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: fakeFetch().impl });
  const p = report.items[0]!;
  assert.equal(p.verified, false);
  assert.equal(p.reason, "mismatch");
  assert.equal(p.claims.document_no?.reason, "mismatch");
  assert.equal(p.claims.expiry_date?.reason, "not_disclosed");
});

test("reasons from the presentation reach every claim: another audience, revoked", async () => {
  const payload: PassportPayload = { ...base, data: { personal_details: doc({ birth_date: PERSON.birth_date }, await present(personal, ["birth_date"], "other-client")) } };
  const report = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: fakeFetch().impl });
  assert.equal(report.items[0]!.reason, "kb_wrong_audience");
  assert.deepEqual(report.items[0]!.claims.birth_date, { verified: false, reason: "kb_wrong_audience", value: PERSON.birth_date });

  const before = ctx.statusToken;
  ctx.statusToken = await revokeInStatusListToken(before, 1, ctx.vkeys.signingKey, ctx.kid);
  try {
    const revoked: PassportPayload = { ...base, data: {}, derived: { credential: await present(personal, ["age_over_18"]), verified_claims: { verification: {}, claims: { age_over_18: true } } } };
    const r = await verifyCredentials(revoked, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: fakeFetch().impl });
    assert.equal(r.items[0]!.reason, "revoked");
    assert.equal(r.items[0]!.claims.age_over_18?.verified, false);
  } finally {
    ctx.statusToken = before;
  }
});

test("an issuer the relying party does not trust is unknown_key, and nothing is fetched from it", async () => {
  const payload: PassportPayload = { ...base, data: {}, derived: { credential: await present(personal, ["age_over_18"]), verified_claims: { verification: {}, claims: {} } } };
  const f = fakeFetch();
  const r = await verifyCredentials(payload, { issuer: "https://other-passport.example", clientId: AUD, nonce: NONCE, fetch: f.impl });
  assert.equal(r.items[0]!.reason, "unknown_key");
  assert.deepEqual(f.asked, []);
  // Metadata that names another issuer is not taken either.
  const wrong = fakeFetch({ metadata: { issuer: "https://evil.example", jwks: { keys: [ctx.verifier.publicJwks.signing] } } });
  const r2 = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: wrong.impl });
  assert.equal(r2.items[0]!.reason, "unknown_key");
});

test("pinned keys: no metadata fetched; a pinned key that is not the signer's is unknown_key", async () => {
  const payload: PassportPayload = { ...base, data: {}, derived: { credential: await present(personal, ["nationality"]), verified_claims: { verification: {}, claims: { nationality: "DE" } } } };
  const f = fakeFetch();
  const r = await verifyCredentials(payload, { issuer: "https://elsewhere.example", clientId: AUD, nonce: NONCE, fetch: f.impl, pinnedKeys: { [ISSUER]: [ctx.verifier.publicJwks.signing] } });
  assert.equal(r.verified, true, r.items[0]!.message);
  assert.deepEqual(f.asked, [STATUS_URI]);
  const r2 = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: f.impl, pinnedKeys: { [ISSUER]: { keys: [ctx.holder.publicJwks.signing] } } });
  assert.equal(r2.items[0]!.reason, "unknown_key");
});

test("an attestation of another document type under an item is wrong_type", async () => {
  const payload: PassportPayload = { ...base, data: { passport: doc({ birth_date: PERSON.birth_date }, await present(personal, ["birth_date"])) } };
  const r = await verifyCredentials(payload, { issuer: PASSPORT_ISSUER, clientId: AUD, nonce: NONCE, fetch: fakeFetch().impl });
  assert.equal(r.items[0]!.reason, "wrong_type");
});
