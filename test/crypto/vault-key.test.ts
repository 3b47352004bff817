import { test } from "node:test";
import assert from "node:assert/strict";
import {
  b64uDecode,
  b64uEncode,
  CryptoError,
  CryptoInputError,
  derivePasswordKeys,
  generateVaultKey,
  unwrapVaultKey,
  wrapVaultKey,
  type KdfParams,
} from "../../src/crypto/index.js";

const params: KdfParams = { alg: "pbkdf2-sha256", iterations: 1000, salt: "dmF1bHQta2V5LXRlc3RzLQ" };
const { kek } = await derivePasswordKeys("right password", params);
const { kek: wrongKek } = await derivePasswordKeys("wrong password", params);

const raw = async (k: CryptoKey) => new Uint8Array(await crypto.subtle.exportKey("raw", k));

/** Flip one bit of byte `index` in part `part` (1 = IV, 2 = ciphertext) of a wrapped string. */
function flip(wrapped: string, part: 1 | 2, index: number): string {
  const parts = wrapped.split(".");
  const bytes = b64uDecode(parts[part]);
  bytes[index] ^= 0x01;
  parts[part] = b64uEncode(bytes);
  return parts.join(".");
}

test("wrap → unwrap round trip gives back the same key bytes", async () => {
  const vaultKey = await generateVaultKey();
  assert.equal(vaultKey.extractable, true);
  assert.deepEqual(vaultKey.algorithm, { name: "AES-GCM", length: 256 });
  const wrapped = await wrapVaultKey(vaultKey, kek, "password");
  const back = await unwrapVaultKey(wrapped, kek, "password", { extractable: true });
  assert.deepEqual(await raw(back), await raw(vaultKey));
  assert.deepEqual([...back.usages].sort(), [...vaultKey.usages].sort());
});

test("wrapped format is v1.<12-byte iv>.<48-byte ciphertext+tag>, with a fresh IV each time", async () => {
  const vaultKey = await generateVaultKey();
  const a = await wrapVaultKey(vaultKey, kek, "password");
  const b = await wrapVaultKey(vaultKey, kek, "password");
  for (const w of [a, b]) {
    assert.match(w, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/);
    const [, iv, ct] = w.split(".");
    assert.equal(b64uDecode(iv).length, 12);
    assert.equal(b64uDecode(ct).length, 48);
  }
  assert.notEqual(a, b);
});

test("the unwrapped key actually works: what the original encrypts, the unwrapped copy decrypts", async () => {
  const vaultKey = await generateVaultKey();
  const back = await unwrapVaultKey(await wrapVaultKey(vaultKey, kek, "password"), kek, "password");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, vaultKey, new TextEncoder().encode("hi"));
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, back, ct);
  assert.equal(new TextDecoder().decode(pt), "hi");
});

test("default unwrap gives a non-extractable key", async () => {
  const wrapped = await wrapVaultKey(await generateVaultKey(), kek, "password");
  const key = await unwrapVaultKey(wrapped, kek, "password");
  assert.equal(key.extractable, false);
  await assert.rejects(crypto.subtle.exportKey("raw", key));
  // ...and therefore cannot be re-wrapped either.
  await assert.rejects(wrapVaultKey(key, kek, "password"), CryptoInputError);
});

test("wrong password fails with a plain CryptoError, not a DOMException", async () => {
  const wrapped = await wrapVaultKey(await generateVaultKey(), kek, "password");
  await assert.rejects(unwrapVaultKey(wrapped, wrongKek, "password"), (err: unknown) => {
    assert.ok(err instanceof CryptoError);
    assert.ok(!(err instanceof CryptoInputError)); // it parsed fine; the key was wrong
    assert.equal(err.message, "wrong password or damaged key");
    assert.equal(err.name, "CryptoError");
    return true;
  });
});

test("a flipped bit anywhere in the IV or the ciphertext/tag fails with CryptoError", async () => {
  const wrapped = await wrapVaultKey(await generateVaultKey(), kek, "password");
  for (let i = 0; i < 12; i++) {
    await assert.rejects(unwrapVaultKey(flip(wrapped, 1, i), kek, "password"), CryptoError, `iv[${i}]`);
  }
  for (let i = 0; i < 48; i++) {
    await assert.rejects(unwrapVaultKey(flip(wrapped, 2, i), kek, "password"), CryptoError, `ct[${i}]`);
  }
  // The untouched blob still opens, so the failures above are due to the flips.
  await unwrapVaultKey(wrapped, kek, "password");
});

test("purpose is bound: a password-wrapped blob cannot be unwrapped as the recovery copy, or vice versa", async () => {
  const vaultKey = await generateVaultKey();
  const asPassword = await wrapVaultKey(vaultKey, kek, "password");
  const asRecovery = await wrapVaultKey(vaultKey, kek, "recovery");
  await assert.rejects(unwrapVaultKey(asPassword, kek, "recovery"), CryptoError);
  await assert.rejects(unwrapVaultKey(asRecovery, kek, "password"), CryptoError);
  await unwrapVaultKey(asRecovery, kek, "recovery");
});

test("malformed wrapped strings are rejected as CryptoInputError (still a CryptoError)", async () => {
  const wrapped = await wrapVaultKey(await generateVaultKey(), kek, "password");
  const [, iv, ct] = wrapped.split(".");
  const bad = [
    "",
    "garbage",
    `v2.${iv}.${ct}`, // unknown version
    `${iv}.${ct}`, // no version
    `v1.${iv}.${ct}.extra`,
    `v1.${iv}`,
    `v1.${iv.slice(0, -2)}.${ct}`, // IV too short
    `v1.${iv}.${ct.slice(0, -4)}`, // ciphertext too short
    `v1.${iv}.${ct}AAAA`, // too long
    `v1.${iv}.${ct.slice(0, -1)}+`, // not base64url
  ];
  for (const w of bad) {
    await assert.rejects(unwrapVaultKey(w, kek, "password"), CryptoInputError, JSON.stringify(w));
  }
  await assert.rejects(unwrapVaultKey(null as unknown as string, kek, "password"), CryptoInputError);
});

test("programming errors are reported as such, not as a wrong password", async () => {
  const vaultKey = await generateVaultKey();
  const wrapped = await wrapVaultKey(vaultKey, kek, "password");
  await assert.rejects(wrapVaultKey(vaultKey, kek, "email" as "password"), CryptoInputError);
  await assert.rejects(unwrapVaultKey(wrapped, kek, "email" as "password"), CryptoInputError);
  // A wrapping key without wrapKey/unwrapKey usage (e.g. a data key).
  const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  await assert.rejects(wrapVaultKey(vaultKey, dataKey, "password"), /does not allow wrapKey/);
  await assert.rejects(unwrapVaultKey(wrapped, dataKey, "password"), /does not allow unwrapKey/);
  // A 128-bit key is not what we wrap with or wrap.
  const aes128 = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["wrapKey", "unwrapKey"]);
  await assert.rejects(wrapVaultKey(vaultKey, aes128, "password"), CryptoInputError);
  await assert.rejects(wrapVaultKey(aes128, kek, "password"), CryptoInputError);
});
