// The format proven, not just round-tripped through one library: an issued and presented SD-JWT VC
// checked (1) with plain `jose` and SHA-256 arithmetic written here, following SD-JWT and
// SD-JWT VC step by step, and (2) by @sd-jwt/sd-jwt-vc's own verifier with Node's crypto.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compactVerify, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { ES256, digest as nodeDigest } from "@sd-jwt/crypto-nodejs";
import { presentCredential, revokeInStatusListToken } from "../../src/credentials/index.js";
import { AUD, NONCE, ISSUER, PERSON, STATUS_URI, setup, digest } from "./fixtures.js";

const ctx = await setup();
const credential = await ctx.issue("personal_details", { idx: 5 });

test("plain jose + hand-written digest arithmetic verifies an issued and presented SD-JWT VC", async () => {
  const presentation = await presentCredential(credential, ["middle_name", "birth_date", "age_over_18"], ctx.holder.keys.signingKey, { aud: AUD, nonce: NONCE });

  // 1. Split on "~": issuer JWT, disclosures, KB-JWT last.
  const parts = presentation.split("~");
  const issuerJwt = parts[0]!;
  const disclosures = parts.slice(1, -1);
  const kbJwt = parts[parts.length - 1]!;
  assert.equal(disclosures.length, 2);

  // 2. The issuer JWT's signature, with the key its metadata publishes.
  const header = decodeProtectedHeader(issuerJwt);
  assert.equal(header.typ, "dc+sd-jwt");
  assert.equal(header.alg, "ES256");
  assert.equal(header.kid, ctx.verifier.publicJwks.signing.kid);
  const { payload } = await jwtVerify(issuerJwt, await importJWK(ctx.verifier.publicJwks.signing, "ES256"), { issuer: ISSUER, typ: "dc+sd-jwt" });
  assert.equal(payload._sd_alg, "sha-256");
  assert.equal(payload.vct, "https://id.example.test/vct/personal_details");
  assert.deepEqual(payload.status, { status_list: { idx: 5, uri: STATUS_URI } });
  const sd = payload._sd as string[];
  // One digest per claim: 6 fields + 4 ages + nationality; nothing of the person in the clear.
  assert.equal(sd.length, 11);
  for (const value of [PERSON.first_name, PERSON.last_name, PERSON.birth_date]) assert.ok(!JSON.stringify(payload).includes(value), `${value} is not in the clear`);

  // 3. Each disclosure: base64url-decode to [salt, name, value]; its digest is base64url(SHA-256(the
  //    disclosure string as sent)), and must be in the signed _sd.
  const disclosed: Record<string, unknown> = {};
  for (const d of disclosures) {
    const [salt, name, value] = JSON.parse(Buffer.from(d, "base64url").toString("utf8"));
    assert.equal(typeof salt, "string");
    assert.ok(Buffer.from(salt, "base64url").length >= 16, "salts carry at least 128 bits");
    assert.ok(sd.includes(digest(d)), `${name} is signed by the issuer`);
    disclosed[name] = value;
  }
  assert.deepEqual(disclosed, { birth_date: PERSON.birth_date, age_over_18: true });

  // 4. The KB-JWT: typ kb+jwt, signed by cnf.jwk, aud and nonce ours, sd_hash over everything
  //    before it (issuer JWT, disclosures, each followed by "~").
  assert.equal(decodeProtectedHeader(kbJwt).typ, "kb+jwt");
  const cnf = (payload.cnf as { jwk: JWK }).jwk;
  const kb = await jwtVerify(kbJwt, await importJWK(cnf, "ES256"), { audience: AUD, typ: "kb+jwt", maxTokenAge: "5m" });
  assert.equal(kb.payload.nonce, NONCE);
  const bound = `${issuerJwt}~${disclosures.join("~")}~`;
  assert.equal(kb.payload.sd_hash, digest(bound));
  assert.equal(presentation, bound + kbJwt);

  // 5. The status list: its own JWT, signed by the same key, bit 5 clear.
  const token = await ctx.options().status((payload.status as { status_list: { uri: string } }).status_list.uri);
  const { payload: slPayload } = await compactVerify(token, await importJWK(ctx.verifier.publicJwks.signing, "ES256"));
  const list = JSON.parse(new TextDecoder().decode(slPayload)) as { status_list: { lst: string } };
  const { inflateSync } = await import("node:zlib");
  const bits = inflateSync(Buffer.from(list.status_list.lst, "base64url"));
  assert.equal((bits[0]! >> 5) & 1, 0);
});

test("the evidence's document number sits behind its own digest inside verification", async () => {
  const parts = credential.split("~");
  const [, body] = parts[0]!.split(".");
  const payload = JSON.parse(Buffer.from(body!, "base64url").toString());
  const details = payload.verification.evidence[0].document_details;
  assert.equal(details.document_number, undefined);
  assert.equal(details.type, "passport");
  assert.equal(details._sd.length, 2);
  const nested = parts.slice(1, -1).map((d) => [digest(d), JSON.parse(Buffer.from(d, "base64url").toString())] as const).filter(([h]) => details._sd.includes(h));
  assert.deepEqual(nested.map(([, d]) => d[1]).sort(), ["date_of_expiry", "document_number"]);
});

test("@sd-jwt/sd-jwt-vc's verifier (Node crypto) accepts the presentation and sees the revocation", async () => {
  const verifier = await ES256.getVerifier(ctx.verifier.publicJwks.signing);
  const instance = new SDJwtVcInstance({
    hasher: nodeDigest,
    hashAlg: "sha-256",
    verifier,
    kbVerifier: async (data, sig, payload) => (await ES256.getVerifier((payload.cnf as { jwk: object }).jwk))(data, sig),
    statusListFetcher: async () => ctx.statusToken,
  });
  const presentation = await presentCredential(credential, ["age_over_18", "nationality"], ctx.holder.keys.signingKey, { aud: AUD, nonce: NONCE });
  const r = await instance.verify(presentation, { keyBindingNonce: NONCE });
  assert.equal((r.payload as Record<string, unknown>).age_over_18, true);
  assert.equal((r.payload as Record<string, unknown>).nationality, "DE");
  assert.equal((r.payload as Record<string, unknown>).birth_date, undefined);
  assert.equal(r.kb?.payload.aud, AUD);
  const before = ctx.statusToken;
  ctx.statusToken = await revokeInStatusListToken(before, 5, ctx.vkeys.signingKey, ctx.kid);
  await assert.rejects(instance.verify(presentation, { keyBindingNonce: NONCE }), /Status is not valid/);
  ctx.statusToken = before;
});
