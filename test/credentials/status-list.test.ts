// Token Status List: a new list is all valid, revoking flips exactly one bit and re-signs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader, decodeJwt } from "jose";
import { inflateSync } from "node:zlib";
import { CredentialError, generateVerifierKeys, importVerifierKeys, newStatusListToken, readStatusListToken, revokeInStatusListToken, verifyStatusListToken } from "../../src/credentials/index.js";

const v = await generateVerifierKeys();
const keys = await importVerifierKeys(v.privateJwks);
const kid = v.publicJwks.signing.kid!;
const uri = "https://id.example/verifiers/kyc/status/1";

test("a new list: statuslist+jwt, sub is the uri, every entry valid", async () => {
  const token = await newStatusListToken({ issuer: "https://id.example/verifiers/kyc", uri, size: 1000, signingKey: keys.signingKey, kid });
  const header = decodeProtectedHeader(token);
  assert.deepEqual([header.typ, header.alg, header.kid], ["statuslist+jwt", "ES256", kid]);
  const payload = decodeJwt(token) as { sub: string; status_list: { bits: number; lst: string } };
  assert.equal(payload.sub, uri);
  assert.equal(payload.status_list.bits, 1);
  // Independent decoding: zlib (RFC 1950) of a bit array, least significant bit first.
  const bytes = inflateSync(Buffer.from(payload.status_list.lst, "base64url"));
  assert.equal(bytes.length, 125);
  assert.ok(bytes.every((b) => b === 0));
  const list = await verifyStatusListToken(token, v.publicJwks.signing);
  assert.equal(list.size, 1000);
  assert.equal(list.isRevoked(999), false);
  assert.throws(() => list.get(1000), CredentialError);
});

test("revoking sets exactly that bit, keeps the others, and the new token verifies", async () => {
  const token = await newStatusListToken({ uri, size: 64, signingKey: keys.signingKey, kid });
  const revoked = await revokeInStatusListToken(await revokeInStatusListToken(token, 9, keys.signingKey, kid), 10, v.privateJwks.signing, kid);
  const list = await verifyStatusListToken(revoked, v.publicJwks.signing);
  assert.deepEqual([8, 9, 10, 11].map((i) => list.get(i)), [0, 1, 1, 0]);
  const bytes = inflateSync(Buffer.from((decodeJwt(revoked) as { status_list: { lst: string } }).status_list.lst, "base64url"));
  assert.equal(bytes[1], 0b0000_0110, "indices 9 and 10 are bits 1 and 2 of byte 1");
  assert.equal(readStatusListToken(revoked).uri, uri);
  await assert.rejects(revokeInStatusListToken(token, 64, keys.signingKey, kid), CredentialError);
});

test("a list signed by another key does not verify; garbage does not read", async () => {
  const other = await generateVerifierKeys();
  const token = await newStatusListToken({ uri, size: 8, signingKey: other.privateJwks.signing, kid });
  await assert.rejects(verifyStatusListToken(token, v.publicJwks.signing), CredentialError);
  assert.throws(() => readStatusListToken("a.b.c"), CredentialError);
  await assert.rejects(newStatusListToken({ uri, size: 0, signingKey: keys.signingKey, kid }), CredentialError);
});
