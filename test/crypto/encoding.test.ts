import { test } from "node:test";
import assert from "node:assert/strict";
import {
  b64uDecode,
  b64uEncode,
  crockfordEncode,
  CryptoError,
  CryptoInputError,
  randomBytes,
} from "../../src/crypto/index.js";

const ascii = (s: string) => new TextEncoder().encode(s);

test("b64u matches the RFC 4648 test vectors, without padding", () => {
  const vectors: Array<[string, string]> = [
    ["", ""],
    ["f", "Zg"],
    ["fo", "Zm8"],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg"],
    ["fooba", "Zm9vYmE"],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, encoded] of vectors) {
    assert.equal(b64uEncode(ascii(plain)), encoded);
    assert.deepEqual(b64uDecode(encoded), ascii(plain));
  }
});

test("b64u uses the URL-safe alphabet", () => {
  assert.equal(b64uEncode(new Uint8Array([0xfb, 0xff, 0xbf])), "-_-_");
  assert.deepEqual(b64uDecode("-_-_"), new Uint8Array([0xfb, 0xff, 0xbf]));
});

test("b64u round-trips random bytes of every length 0..100 and agrees with Node's encoder", () => {
  for (let n = 0; n <= 100; n++) {
    const bytes = randomBytes(n);
    const s = b64uEncode(bytes);
    assert.equal(s, Buffer.from(bytes).toString("base64url"), `length ${n}`);
    assert.deepEqual(b64uDecode(s), bytes, `length ${n}`);
  }
});

test("b64u decode rejects bad input with CryptoInputError", () => {
  const bad = [
    "Zg==", // padding
    "Zm9v\n", // whitespace
    "Zm 9v",
    "ab+c", // standard-alphabet characters
    "ab/c",
    "A", // 4k+1 length is impossible
    "AAAAA",
    "Zh", // non-zero padding bits: "f" is only ever "Zg"
    "Zm9", // ditto for two bytes
    "Zé",
    "🙂",
  ];
  for (const s of bad) {
    assert.throws(() => b64uDecode(s), CryptoInputError, JSON.stringify(s));
  }
  assert.throws(() => b64uDecode(undefined as unknown as string), CryptoInputError);
  // CryptoInputError is a CryptoError, so callers may catch either.
  assert.throws(() => b64uDecode("!"), CryptoError);
});

test("randomBytes returns fresh bytes of the requested length, including above the 64 KiB per-call limit", () => {
  assert.equal(randomBytes(0).length, 0);
  const a = randomBytes(32);
  const b = randomBytes(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  const big = randomBytes(200_000);
  assert.equal(big.length, 200_000);
  // The tail chunk was filled too (all-zero 1 KiB from a CSPRNG is impossible in practice).
  assert.ok(big.subarray(199_000).some((x) => x !== 0));
  assert.throws(() => randomBytes(-1), CryptoInputError);
  assert.throws(() => randomBytes(1.5), CryptoInputError);
});

test("crockfordEncode: big-endian 5-bit symbols, zero-padded", () => {
  assert.equal(crockfordEncode(new Uint8Array([])), "");
  assert.equal(crockfordEncode(new Uint8Array([0xff])), "ZW"); // 11111 111(00)
  assert.equal(crockfordEncode(new Uint8Array([0x00, 0x01])), "000G"); // 00000 00000 00000 1(0000) = 16 = G
  assert.equal(crockfordEncode(new Uint8Array(32).fill(0xff)).length, 52);
});
