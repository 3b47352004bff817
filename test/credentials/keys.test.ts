// Holder keys wrapped under the vault key (bound to the account), verifier keys sealed to a
// member, and typed JWE sealing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CompactSign, compactVerify, importJWK } from "jose";
import { generateVaultKey } from "../../src/crypto/index.js";
import {
  CredentialError,
  CREDENTIAL_TYP,
  SUBMISSION_TYP,
  generateHolderKeys,
  generateVerifierKeys,
  openJson,
  openVerifierKeys,
  sealJson,
  sealVerifierKeys,
  unwrapHolderKeys,
} from "../../src/credentials/index.js";

const sign = async (key: CryptoKey) => new CompactSign(new TextEncoder().encode("hello")).setProtectedHeader({ alg: "ES256" }).sign(key);

test("holder keys: wrapped under the vault key, opened by the same vault key and account", async () => {
  const vaultKey = await generateVaultKey();
  const { keys, publicJwks, wrapped } = await generateHolderKeys(vaultKey, "acc-1");
  assert.equal(typeof wrapped, "string");
  for (const jwk of [publicJwks.signing, publicJwks.encryption]) {
    assert.equal(jwk.d, undefined, "public JWKs carry no private part");
    assert.equal(jwk.crv, "P-256");
    assert.match(jwk.kid!, /^[A-Za-z0-9_-]{43}$/);
  }
  assert.equal(publicJwks.signing.alg, "ES256");
  assert.equal(publicJwks.encryption.alg, "ECDH-ES+A256KW");
  assert.ok(!wrapped.includes(publicJwks.signing.x!), "the wrapped blob is ciphertext");
  const opened = await unwrapHolderKeys(vaultKey, wrapped, "acc-1");
  assert.deepEqual(opened.signingJwk, publicJwks.signing);
  assert.deepEqual(opened.encryptionJwk, publicJwks.encryption);
  assert.equal(opened.signingKey.extractable, false);
  // The opened signing key signs what the published key verifies, and so did the fresh one.
  for (const k of [keys.signingKey, opened.signingKey]) await compactVerify(await sign(k), await importJWK(publicJwks.signing, "ES256"));
  // The opened encryption key opens what is sealed to the published key.
  const jwe = await sealJson(publicJwks.encryption, { hi: 1 }, CREDENTIAL_TYP);
  assert.deepEqual(await openJson(opened.encryptionKey, jwe, CREDENTIAL_TYP), { hi: 1 });
});

test("holder keys: another vault key, another account or a damaged blob fails to open", async () => {
  const vaultKey = await generateVaultKey();
  const { wrapped } = await generateHolderKeys(vaultKey, "acc-1");
  await assert.rejects(unwrapHolderKeys(await generateVaultKey(), wrapped, "acc-1"), CredentialError);
  await assert.rejects(unwrapHolderKeys(vaultKey, wrapped, "acc-2"), CredentialError);
  const parts = wrapped.split(":");
  const flipped = parts[2]!.slice(0, 10) + (parts[2]![10] === "A" ? "B" : "A") + parts[2]!.slice(11);
  await assert.rejects(unwrapHolderKeys(vaultKey, `${parts[0]}:${parts[1]}:${flipped}`, "acc-1"), CredentialError);
  await assert.rejects(unwrapHolderKeys(vaultKey, "garbage", "acc-1"), /unknown format/);
  await assert.rejects(generateHolderKeys(vaultKey, ""), CredentialError);
});

test("verifier keys: sealed to a member's holder key, opened only by that member", async () => {
  const vaultKey = await generateVaultKey();
  const member = await generateHolderKeys(vaultKey, "member");
  const other = await generateHolderKeys(vaultKey, "other");
  const v = await generateVerifierKeys();
  assert.equal(v.publicJwks.signing.d, undefined);
  assert.equal(typeof v.privateJwks.signing.d, "string");
  assert.equal(v.privateJwks.signing.kid, v.publicJwks.signing.kid);
  const sealed = await sealVerifierKeys(v.privateJwks, member.publicJwks.encryption);
  assert.ok(!sealed.includes(v.privateJwks.signing.d!));
  const opened = await openVerifierKeys(sealed, member.keys.encryptionKey);
  assert.deepEqual(opened.publicJwks, v.publicJwks);
  await compactVerify(await sign(opened.signingKey), await importJWK(v.publicJwks.signing, "ES256"));
  await assert.rejects(openVerifierKeys(sealed, other.keys.encryptionKey), CredentialError);
});

test("sealJson: the typ is checked, so one kind of JWE cannot pass for another", async () => {
  const v = await generateVerifierKeys();
  const jwe = await sealJson(v.publicJwks.encryption, { items: [] }, SUBMISSION_TYP);
  const header = JSON.parse(Buffer.from(jwe.split(".")[0]!, "base64url").toString());
  assert.deepEqual([header.alg, header.enc, header.typ, header.kid], ["ECDH-ES+A256KW", "A256GCM", SUBMISSION_TYP, v.publicJwks.encryption.kid]);
  assert.deepEqual(await openJson(v.privateJwks.encryption, jwe, SUBMISSION_TYP), { items: [] });
  await assert.rejects(openJson(v.privateJwks.encryption, jwe, CREDENTIAL_TYP), /expected a passport-credential\+jwe/);
  await assert.rejects(sealJson({ kty: "RSA", n: "x", e: "AQAB" }, {}, SUBMISSION_TYP), CredentialError);
});
