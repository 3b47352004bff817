/**
 * base64url without padding (RFC 4648 §5), the encoding of every binary value we put in JSON,
 * URLs and wrapped-key strings.
 *
 * Hand-written instead of Buffer (Node only) or btoa/atob (binary-string round trips, accepts
 * padding and whitespace). Decoding is strict: only the base64url alphabet, no padding, and the
 * unused low bits of the last character must be zero. That makes the encoding canonical — one byte
 * string has exactly one text form — so a value that is compared or hashed as text cannot be
 * smuggled in a second spelling.
 */
import { CryptoInputError } from "./errors.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// char code -> 6-bit value, -1 for characters outside the alphabet.
const LOOKUP = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export function b64uEncode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

export function b64uDecode(s: string): Uint8Array<ArrayBuffer> {
  if (typeof s !== "string") throw new CryptoInputError("base64url value must be a string");
  // A length of 4k+1 cannot come from any byte string (one char carries only 6 bits).
  if (s.length % 4 === 1) throw new CryptoInputError("base64url value has an impossible length");

  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0; // bit accumulator
  let bits = 0; // number of pending bits in acc
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const v = code < 128 ? LOOKUP[code] : -1;
    if (v < 0) throw new CryptoInputError("base64url value contains an invalid character");
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Left-over bits (2 or 4) are padding inside the last character; they must be zero.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new CryptoInputError("base64url value is not canonical");
  }
  return out;
}
