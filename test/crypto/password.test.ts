import { test } from "node:test";
import assert from "node:assert/strict";
// node:crypto is used here only as an independent reference implementation; src/crypto must not use it.
import { hkdfSync, pbkdf2Sync } from "node:crypto";
import {
  b64uDecode,
  b64uEncode,
  CryptoInputError,
  DEFAULT_KDF_ITERATIONS,
  deriveAuthKey,
  deriveKek,
  deriveMasterKey,
  derivePasswordKeys,
  isValidKdfParams,
  newKdfParams,
  type KdfParams,
} from "../../src/crypto/index.js";

/** The whole derivation written out with Node's own primitives, for comparison. */
function referenceAuthKey(password: string, params: KdfParams): string {
  const master = pbkdf2Sync(
    Buffer.from(password.normalize("NFKC"), "utf8"),
    Buffer.from(params.salt, "base64url"),
    params.iterations,
    32,
    "sha256",
  );
  const auth = hkdfSync("sha256", master, Buffer.alloc(0), "passport/auth/v1", 32);
  return Buffer.from(auth).toString("base64url");
}

const cheap = (salt: string): KdfParams => ({ alg: "pbkdf2-sha256", iterations: 1000, salt });

test("authKey equals an independent PBKDF2 + HKDF computation (node:crypto)", async () => {
  const params = cheap(b64uEncode(new TextEncoder().encode("passport-salt-01")));
  const password = "correct horse battery staple";
  const { authKey } = await derivePasswordKeys(password, params);
  assert.equal(authKey, referenceAuthKey(password, params));
  assert.match(authKey, /^[A-Za-z0-9_-]{43}$/); // 32 bytes
  // deriveMasterKey + deriveAuthKey is the same path as the convenience function.
  assert.equal(await deriveAuthKey(await deriveMasterKey(password, params)), authKey);
});

test("pinned vector at the production default of 600,000 iterations (fails on any silent algorithm change)", async () => {
  // Expected value computed separately with Python hashlib.pbkdf2_hmac + RFC 5869 HKDF.
  const params: KdfParams = {
    alg: "pbkdf2-sha256",
    iterations: DEFAULT_KDF_ITERATIONS,
    salt: "AAECAwQFBgcICQoLDA0ODw", // bytes 0x00..0x0f
  };
  const started = performance.now();
  const { authKey } = await derivePasswordKeys("Pässwörd ½ Ⅸ", params);
  const ms = performance.now() - started;
  assert.equal(authKey, "ZjX8AELU1qDNHcFlCABx51Ni9jfgWIyA0NpQTz5cdWU");
  assert.ok(ms < 2000, `600k iterations took ${ms.toFixed(0)} ms`);
});

test("NFKC: composed and decomposed spellings of a password give the same keys", async () => {
  const params = cheap("c2FsdHNhbHRzYWx0c2FsdA");
  const composed = "caf\u00e9 \u00c5ngstr\u00f6m"; // é, Å, ö as single code points
  const decomposed = "cafe\u0301 A\u030angstro\u0308m"; // base letter + combining mark
  assert.notEqual(composed, decomposed);
  const a = await derivePasswordKeys(composed, params);
  const b = await derivePasswordKeys(decomposed, params);
  assert.equal(a.authKey, b.authKey);
  // Compatibility forms fold too: full-width digits typed on an IME.
  const c = await derivePasswordKeys("pw\uff11\uff12\uff13", params);
  const d = await derivePasswordKeys("pw123", params);
  assert.equal(c.authKey, d.authKey);
});

test("different password, salt or iteration count give different auth keys", async () => {
  const base = cheap("c2FsdHNhbHRzYWx0c2FsdA");
  const k = (await derivePasswordKeys("password", base)).authKey;
  assert.notEqual((await derivePasswordKeys("Password", base)).authKey, k);
  assert.notEqual((await derivePasswordKeys("password", cheap("c2FsdHNhbHRzYWx0c2FsdQ"))).authKey, k);
  assert.notEqual((await derivePasswordKeys("password", { ...base, iterations: 1001 })).authKey, k);
});

test("master key and kek are non-extractable, and the kek is an AES-256-GCM key-wrapping key", async () => {
  const master = await deriveMasterKey("pw", cheap("c2FsdHNhbHRzYWx0c2FsdA"));
  assert.equal(master.extractable, false);
  assert.equal(master.algorithm.name, "HKDF");
  await assert.rejects(crypto.subtle.exportKey("raw", master));

  const kek = await deriveKek(master);
  assert.equal(kek.extractable, false);
  assert.deepEqual(kek.algorithm, { name: "AES-GCM", length: 256 });
  assert.deepEqual([...kek.usages].sort(), ["unwrapKey", "wrapKey"]);
  await assert.rejects(crypto.subtle.exportKey("raw", kek));
});

test("deriveMasterKey refuses out-of-bounds parameters before deriving", async () => {
  const ok = cheap("c2FsdHNhbHRzYWx0c2FsdA");
  const bad: unknown[] = [
    { ...ok, iterations: 0 },
    { ...ok, iterations: 10_000_001 },
    { ...ok, alg: "argon2id" },
    { ...ok, salt: "c2FsdA" }, // 4 bytes
  ];
  for (const p of bad) {
    await assert.rejects(deriveMasterKey("pw", p as KdfParams), CryptoInputError, JSON.stringify(p));
  }
});

test("isValidKdfParams enforces alg, integer iterations 1..10,000,000 and a 16..64-byte salt", () => {
  const salt16 = b64uEncode(new Uint8Array(16));
  const salt64 = b64uEncode(new Uint8Array(64));
  const ok = { alg: "pbkdf2-sha256", iterations: 600_000, salt: salt16 };
  assert.equal(isValidKdfParams(ok), true);
  assert.equal(isValidKdfParams({ ...ok, iterations: 1 }), true);
  assert.equal(isValidKdfParams({ ...ok, iterations: 10_000_000 }), true);
  assert.equal(isValidKdfParams({ ...ok, salt: salt64 }), true);

  const bad: unknown[] = [
    null,
    undefined,
    "pbkdf2-sha256",
    {},
    { ...ok, alg: "PBKDF2" },
    { ...ok, iterations: 0 },
    { ...ok, iterations: -5 },
    { ...ok, iterations: 10_000_001 },
    { ...ok, iterations: 1000.5 },
    { ...ok, iterations: "600000" },
    { ...ok, iterations: Number.NaN },
    { ...ok, iterations: Infinity },
    { ...ok, salt: b64uEncode(new Uint8Array(15)) },
    { ...ok, salt: b64uEncode(new Uint8Array(65)) },
    { ...ok, salt: salt16 + "=" },
    { ...ok, salt: 12345 },
    { alg: "pbkdf2-sha256", iterations: 600_000 },
  ];
  for (const p of bad) assert.equal(isValidKdfParams(p), false, JSON.stringify(p));
});

test("newKdfParams: given or default iterations, fresh 16-byte salt, rejects bad iteration counts", () => {
  const a = newKdfParams(1000);
  assert.equal(a.alg, "pbkdf2-sha256");
  assert.equal(a.iterations, 1000);
  assert.equal(b64uDecode(a.salt).length, 16);
  assert.ok(isValidKdfParams(a));
  assert.notEqual(newKdfParams(1000).salt, a.salt);
  assert.equal(newKdfParams().iterations, DEFAULT_KDF_ITERATIONS);
  assert.equal(DEFAULT_KDF_ITERATIONS, 600_000);
  assert.throws(() => newKdfParams(0), CryptoInputError);
  assert.throws(() => newKdfParams(2.5), CryptoInputError);
  assert.throws(() => newKdfParams(20_000_000), CryptoInputError);
});
