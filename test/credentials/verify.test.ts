// Issue → present → verify round trips, and every reason verifyPresentation gives, each provoked
// on its own so that a reason cannot hide behind another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateVerifierKeys, presentCredential, revokeInStatusListToken, verifyPresentation, newStatusListToken, importVerifierKeys, inspectCredential } from "../../src/credentials/index.js";
import { generateHolderKeys } from "../../src/credentials/index.js";
import { generateVaultKey } from "../../src/crypto/index.js";
import { AUD, NONCE, PERSON, PASSPORT, STATUS_URI, ISSUER, setup, bindKb, split, join, b64uJson, toB64uJson } from "./fixtures.js";

const ctx = await setup();
const personal = await ctx.issue("personal_details", { idx: 1 });
const passport = await ctx.issue("passport", { idx: 2 });
const present = (sd: string, names: string[], o: { aud?: string; nonce?: string; iat?: number } = {}) =>
  presentCredential(sd, names, ctx.holder.keys.signingKey, { aud: o.aud ?? AUD, nonce: o.nonce ?? NONCE, iat: o.iat });

test("a full presentation verifies and returns every claim, the derived ones included", async () => {
  const names = [...Object.keys(PERSON), "age_over_16", "age_over_18", "age_over_21", "age_over_65", "nationality"];
  const r = await verifyPresentation(await present(personal, names), ctx.options());
  assert.equal(r.reason, undefined, r.message);
  assert.equal(r.verified, true);
  assert.deepEqual(r.claims, { ...PERSON, age_over_16: true, age_over_18: true, age_over_21: true, age_over_65: false, nationality: "DE" });
  assert.equal(r.iss, ISSUER);
  assert.equal(r.vct, "https://id.example.test/vct/personal_details");
  assert.equal(r.verification?.trust_framework, "eidas");
  assert.equal(r.verification?.assurance_level, "high");
});

test("age_over_18 alone: the birth date, the names and the passport number stay undisclosed", async () => {
  const pres = await present(personal, ["age_over_18"]);
  assert.equal(split(pres).disclosures.length, 1);
  const r = await verifyPresentation(pres, ctx.options());
  assert.equal(r.verified, true, r.message);
  assert.deepEqual(r.claims, { age_over_18: true });
  const details = r.verification?.evidence?.[0]?.document_details;
  assert.equal(details?.type, "passport");
  assert.equal(details?.document_number, undefined);
  assert.equal(details?.date_of_expiry, undefined);
  assert.ok(!pres.includes(PERSON.birth_date) && !Buffer.from(pres).toString().includes("2000-06-15"));
});

test("the evidence's document number is disclosed together with the document number field", async () => {
  const r = await verifyPresentation(await present(passport, ["document_no", "document_valid"]), ctx.options());
  assert.equal(r.verified, true, r.message);
  assert.deepEqual(r.claims, { document_no: PASSPORT.document_no, document_valid: true });
  assert.equal(r.verification?.evidence?.[0]?.document_details?.document_number, PASSPORT.document_no);
  assert.equal(r.verification?.evidence?.[0]?.document_details?.date_of_expiry, undefined);
});

test("names the credential lacks are skipped; a presentation of nothing still proves the envelope", async () => {
  const r = await verifyPresentation(await present(personal, ["middle_name"]), ctx.options());
  assert.equal(r.verified, true, r.message);
  assert.deepEqual(r.claims, {});
});

test("inspectCredential lists the disclosable claims without verifying", async () => {
  const s = await inspectCredential(passport);
  assert.equal(s.iss, ISSUER);
  assert.deepEqual(s.claimNames.sort(), ["document_no", "document_valid", "expiry_date"]);
  assert.deepEqual(s.status, { status_list: { idx: 2, uri: STATUS_URI } });
  assert.equal(s.verification?.evidence?.[0]?.document_details?.document_number, PASSPORT.document_no);
  assert.equal(s.exp, Date.parse("2031-10-31T00:00:00Z") / 1000);
});

test("tampered_disclosure: a disclosure's value changed, re-bound by the holder", async () => {
  const { jwt, disclosures } = split(await present(personal, ["birth_date"]));
  const [salt, name] = b64uJson(disclosures[0]!);
  const forged = toB64uJson([salt, name, "1990-01-01"]);
  const r = await verifyPresentation(await bindKb(join(jwt, [forged]), ctx.holder.keys.signingKey), ctx.options());
  assert.equal(r.verified, false);
  assert.equal(r.reason, "tampered_disclosure");
});

test("tampered_disclosure: a disclosure changed on the way (the key binding no longer matches either)", async () => {
  const { jwt, disclosures, kb } = split(await present(personal, ["age_over_21"]));
  const [salt, name] = b64uJson(disclosures[0]!);
  const r = await verifyPresentation(join(jwt, [toB64uJson([salt, name, false])]) + kb, ctx.options());
  assert.equal(r.reason, "tampered_disclosure");
});

test("extra_disclosure: the same disclosure twice", async () => {
  const { jwt, disclosures } = split(await present(personal, ["age_over_18"]));
  const r = await verifyPresentation(await bindKb(join(jwt, [disclosures[0]!, disclosures[0]!]), ctx.holder.keys.signingKey), ctx.options());
  assert.equal(r.reason, "extra_disclosure");
});

test("extra_disclosure: a disclosure appended after the holder bound the presentation", async () => {
  const { jwt, disclosures, kb } = split(await present(personal, ["age_over_18"]));
  const all = split(personal).disclosures;
  const birth = all.find((d) => b64uJson(d)[1] === "birth_date")!;
  const r = await verifyPresentation(join(jwt, [...disclosures, birth]) + kb, ctx.options());
  assert.equal(r.verified, false);
  // The birth date is a real disclosure of this credential, but the holder did not bind it.
  assert.equal(r.reason, "extra_disclosure");
  const foreign = split(passport).disclosures[0]!;
  const r2 = await verifyPresentation(join(jwt, [...disclosures, foreign]) + kb, ctx.options());
  assert.equal(r2.reason, "extra_disclosure");
});

test("kb_sd_hash: a disclosure removed after binding", async () => {
  const { jwt, disclosures, kb } = split(await present(personal, ["age_over_18", "nationality"]));
  const r = await verifyPresentation(join(jwt, [disclosures[0]!]) + kb, ctx.options());
  assert.equal(r.reason, "kb_sd_hash");
});

test("kb_wrong_audience and kb_wrong_nonce", async () => {
  const other = await verifyPresentation(await present(personal, ["age_over_18"], { aud: "another-client" }), ctx.options());
  assert.equal(other.reason, "kb_wrong_audience");
  const replay = await verifyPresentation(await present(personal, ["age_over_18"], { nonce: "old-nonce" }), ctx.options());
  assert.equal(replay.reason, "kb_wrong_nonce");
});

test("kb_stale: a key-binding JWT older than maxAge, or from the future", async () => {
  const now = Math.floor(Date.now() / 1000);
  const old = await verifyPresentation(await present(personal, ["age_over_18"], { iat: now - 3600 }), ctx.options({ maxAgeSeconds: 300 }));
  assert.equal(old.reason, "kb_stale");
  const future = await verifyPresentation(await present(personal, ["age_over_18"], { iat: now + 3600 }), ctx.options());
  assert.equal(future.reason, "kb_stale");
  const fine = await verifyPresentation(await present(personal, ["age_over_18"], { iat: now - 100 }), ctx.options({ maxAgeSeconds: 300 }));
  assert.equal(fine.verified, true, fine.message);
});

test("kb_missing: the SD-JWT without a key-binding JWT", async () => {
  const { jwt, disclosures } = split(await present(personal, ["age_over_18"]));
  const r = await verifyPresentation(join(jwt, disclosures), ctx.options());
  assert.equal(r.reason, "kb_missing");
  assert.equal((await verifyPresentation(personal, ctx.options())).reason, "kb_missing");
});

test("kb_bad_signature: bound by a key that is not the attestation's cnf (a copied credential)", async () => {
  const thief = await generateHolderKeys(await generateVaultKey(), "account-2");
  const pres = await presentCredential(personal, ["age_over_18"], thief.keys.signingKey, { aud: AUD, nonce: NONCE });
  const r = await verifyPresentation(pres, ctx.options());
  assert.equal(r.reason, "kb_bad_signature");
});

test("expired: the attestation's exp has passed", async () => {
  const iat = new Date(Date.now() - 10 * 86400_000);
  const old = await ctx.issue("personal_details", { iat, exp: new Date(Date.now() - 86400_000) });
  const r = await verifyPresentation(await present(old, ["age_over_18"]), ctx.options());
  assert.equal(r.reason, "expired");
});

test("revoked: the status list bit is set; other entries stay valid", async () => {
  const sd = await ctx.issue("personal_details", { idx: 9 });
  assert.equal((await verifyPresentation(await present(sd, ["age_over_18"]), ctx.options())).verified, true);
  const before = ctx.statusToken;
  ctx.statusToken = await revokeInStatusListToken(ctx.statusToken, 9, ctx.vkeys.signingKey, ctx.kid);
  try {
    const r = await verifyPresentation(await present(sd, ["age_over_18"]), ctx.options());
    assert.equal(r.reason, "revoked");
    const other = await verifyPresentation(await present(personal, ["age_over_18"]), ctx.options());
    assert.equal(other.verified, true, other.message);
  } finally {
    ctx.statusToken = before;
  }
});

test("status_unavailable: the list cannot be fetched, is another list, or is signed by another key", async () => {
  const pres = await present(personal, ["age_over_18"]);
  const down = await verifyPresentation(pres, ctx.options({ status: async () => { throw new Error("HTTP 503"); } }));
  assert.equal(down.reason, "status_unavailable");
  const stranger = await importVerifierKeys((await generateVerifierKeys()).privateJwks);
  const forged = await newStatusListToken({ issuer: ISSUER, uri: STATUS_URI, size: 64, signingKey: stranger.signingKey, kid: ctx.kid });
  assert.equal((await verifyPresentation(pres, ctx.options({ status: async () => forged }))).reason, "status_unavailable");
  const otherList = await newStatusListToken({ issuer: ISSUER, uri: `${STATUS_URI}-2`, size: 64, signingKey: ctx.vkeys.signingKey, kid: ctx.kid });
  assert.equal((await verifyPresentation(pres, ctx.options({ status: async () => otherList }))).reason, "status_unavailable");
  const otherIssuer = await newStatusListToken({ issuer: "https://elsewhere.example", uri: STATUS_URI, size: 64, signingKey: ctx.vkeys.signingKey, kid: ctx.kid });
  assert.equal((await verifyPresentation(pres, ctx.options({ status: async () => otherIssuer }))).reason, "status_unavailable");
});

test("unknown_key: the issuer publishes no such key", async () => {
  const pres = await present(personal, ["age_over_18"]);
  const r = await verifyPresentation(pres, ctx.options({ keys: async () => null }));
  assert.equal(r.reason, "unknown_key");
  const failing = await verifyPresentation(pres, ctx.options({ keys: async () => { throw new Error("metadata unreachable"); } }));
  assert.equal(failing.reason, "unknown_key");
});

test("bad_signature: signed by another key under the published kid, or the payload altered", async () => {
  const stranger = await importVerifierKeys((await generateVerifierKeys()).privateJwks);
  const forged = await ctx.issue("personal_details", { signingKey: stranger.signingKey });
  const r = await verifyPresentation(await present(forged, ["age_over_18"]), ctx.options());
  assert.equal(r.reason, "bad_signature");

  const { jwt, disclosures } = split(await present(personal, ["age_over_18"]));
  const [h, p, s] = jwt.split(".");
  const payload = b64uJson(p!);
  payload.exp += 10 * 365 * 86400;
  const altered = `${h}.${toB64uJson(payload)}.${s}`;
  const r2 = await verifyPresentation(await bindKb(join(altered, disclosures), ctx.holder.keys.signingKey), ctx.options());
  assert.equal(r2.reason, "bad_signature");
});

test("malformed: not an SD-JWT, or a disclosure that is not JSON", async () => {
  assert.equal((await verifyPresentation("not-an-sd-jwt", ctx.options())).reason, "malformed");
  assert.equal((await verifyPresentation("a.b.c~", ctx.options())).reason, "malformed");
  const { jwt } = split(personal);
  assert.equal((await verifyPresentation(`${jwt}~!!!~`, ctx.options())).reason, "malformed");
});
