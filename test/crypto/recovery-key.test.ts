import { test } from "node:test";
import assert from "node:assert/strict";
// node:crypto is used here only as an independent reference implementation; src/crypto must not use it.
import { hkdfSync } from "node:crypto";
import {
  CROCKFORD_ALPHABET,
  CryptoError,
  CryptoInputError,
  deriveRecoveryKeys,
  generateRecoveryKey,
  generateVaultKey,
  normalizeRecoveryKey,
  unwrapVaultKey,
  wrapVaultKey,
} from "../../src/crypto/index.js";

// Bytes 0x00..0x1f. Text and auth key computed separately (Python: int → base32 digits, mod 1048573,
// RFC 5869 HKDF) so a change to the format or the derivation fails here.
const PINNED_BYTES = Uint8Array.from({ length: 32 }, (_, i) => i);
const PINNED_KEY = "000G-40R4-0M30-E209-185G-R38E-1W81-24GK-2GAH-C5RR-34D1-P70X-3RFG-3MQA";
const PINNED_AUTH = "-QnsHMXkCrdz9EIIZxVRoj7jGjbInf4sQWmkzmJcjKo";

const FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/;
const compact = (k: string) => k.replaceAll("-", "");

test("generated recovery key: 14 groups of 4 Crockford symbols (52 data + 4 checksum), unique each time", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const key = generateRecoveryKey();
    assert.match(key, FORMAT);
    assert.equal(key.length, 69);
    const bytes = normalizeRecoveryKey(key);
    assert.equal(bytes.length, 32);
    seen.add(key);
  }
  assert.equal(seen.size, 50);
});

test("pinned recovery key decodes to the pinned bytes and derives the pinned auth key", async () => {
  assert.deepEqual(normalizeRecoveryKey(PINNED_KEY), PINNED_BYTES);
  const { authKey } = await deriveRecoveryKeys(PINNED_KEY);
  assert.equal(authKey, PINNED_AUTH);
  // Same thing through node:crypto's HKDF.
  const ref = hkdfSync("sha256", PINNED_BYTES, new Uint8Array(0), "passport/recovery-auth/v1", 32);
  assert.equal(authKey, Buffer.from(ref).toString("base64url"));
});

test("normalisation accepts lowercase, spaces, missing or odd dashes, and I/L→1, O→0", () => {
  const variants = [
    PINNED_KEY.toLowerCase(),
    compact(PINNED_KEY),
    compact(PINNED_KEY).toLowerCase(),
    PINNED_KEY.replaceAll("-", " "),
    `  ${PINNED_KEY.replaceAll("-", " - ")}\n`,
    PINNED_KEY.replaceAll("-", "\u2013"), // en dash from a word processor
    PINNED_KEY.replaceAll("0", "O"),
    PINNED_KEY.replaceAll("0", "o"),
    PINNED_KEY.replaceAll("1", "I"),
    PINNED_KEY.replaceAll("1", "l"),
    PINNED_KEY.replaceAll("1", "L").replaceAll("0", "O").toLowerCase(),
    compact(PINNED_KEY).replace(/(.{3})/g, "$1 "), // grouped differently
  ];
  for (const v of variants) {
    assert.deepEqual(normalizeRecoveryKey(v), PINNED_BYTES, JSON.stringify(v));
  }
});

test("checksum catches every single-character typo", () => {
  for (const key of [PINNED_KEY, generateRecoveryKey()]) {
    const chars = [...compact(key)];
    let tried = 0;
    for (let i = 0; i < chars.length; i++) {
      for (const sub of CROCKFORD_ALPHABET) {
        if (sub === chars[i]) continue;
        const typo = [...chars];
        typo[i] = sub;
        assert.throws(
          () => normalizeRecoveryKey(typo.join("")),
          { name: "CryptoInputError", message: "recovery key is not valid" },
          `position ${i}: ${chars[i]} → ${sub}`,
        );
        tried++;
      }
    }
    assert.equal(tried, 56 * 31);
  }
});

test("checksum catches every swap of two adjacent different characters", () => {
  const chars = [...compact(generateRecoveryKey())];
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i] === chars[i + 1]) continue;
    const swapped = [...chars];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    assert.throws(() => normalizeRecoveryKey(swapped.join("")), CryptoInputError, `swap at ${i}`);
  }
});

test("wrong length or characters are rejected", () => {
  const c = compact(PINNED_KEY);
  const bad = [
    "",
    c.slice(0, -1), // one symbol missing
    c + "0", // one extra
    c.slice(0, 52), // data without checksum
    c.slice(0, -1) + "U", // U is not in Crockford's alphabet
    c.slice(0, -1) + "!",
    c.slice(0, -1) + "é",
    PINNED_KEY + "-0000",
  ];
  for (const k of bad) {
    assert.throws(() => normalizeRecoveryKey(k), { name: "CryptoInputError", message: "recovery key is not valid" }, k);
  }
  assert.throws(() => normalizeRecoveryKey(undefined as unknown as string), CryptoInputError);
});

test("non-zero padding bits in the last data symbol are rejected even with a matching checksum", () => {
  // Symbol 52 carries the last key bit and 4 padding bits. Set a padding bit and recompute a
  // matching checksum, so only the padding rule can reject it (otherwise two texts = one key).
  const chars = [...compact(PINNED_KEY)];
  const values = chars.map((ch) => CROCKFORD_ALPHABET.indexOf(ch));
  values[51] |= 1; // set the lowest padding bit
  let sum = 0;
  for (const v of values.slice(0, 52)) sum = (sum * 32 + v) % 1_048_573;
  for (let i = 0; i < 4; i++) values[52 + i] = (sum >> (5 * (3 - i))) & 31;
  const forged = values.map((v) => CROCKFORD_ALPHABET[v]).join("");
  assert.throws(() => normalizeRecoveryKey(forged), (err: unknown) => {
    assert.ok(err instanceof CryptoInputError);
    assert.equal(err.message, "recovery key is not valid");
    // Rejected by the padding rule (reported as the cause), not by the checksum.
    assert.match(String((err as Error).cause), /not canonical/);
    return true;
  });
});

test("derivation is deterministic and independent of how the key was typed", async () => {
  const key = generateRecoveryKey();
  const a = await deriveRecoveryKeys(key);
  const b = await deriveRecoveryKeys(compact(key).toLowerCase());
  assert.equal(a.authKey, b.authKey);
  assert.match(a.authKey, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(a.kek.extractable, false);
  // The kek of one spelling unwraps what the other spelling's kek wrapped.
  const vaultKey = await generateVaultKey();
  const wrapped = await wrapVaultKey(vaultKey, a.kek, "recovery");
  await unwrapVaultKey(wrapped, b.kek, "recovery");
  await assert.rejects(deriveRecoveryKeys("not a key"), CryptoInputError);
});

test("recovery auth key and kek are separate from each other and from other recovery keys", async () => {
  const vaultKey = await generateVaultKey();
  const mine = await deriveRecoveryKeys(generateRecoveryKey());
  const other = await deriveRecoveryKeys(generateRecoveryKey());
  assert.notEqual(mine.authKey, other.authKey);

  const wrapped = await wrapVaultKey(vaultKey, mine.kek, "recovery");
  const back = await unwrapVaultKey(wrapped, mine.kek, "recovery", { extractable: true });
  assert.deepEqual(
    new Uint8Array(await crypto.subtle.exportKey("raw", back)),
    new Uint8Array(await crypto.subtle.exportKey("raw", vaultKey)),
  );
  await assert.rejects(unwrapVaultKey(wrapped, other.kek, "recovery"), (err: unknown) => {
    assert.ok(err instanceof CryptoError);
    assert.equal(err.message, "wrong recovery key or damaged key");
    return true;
  });
});
