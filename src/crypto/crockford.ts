/**
 * Crockford base32 (https://www.crockford.com/base32.html), used for the recovery key because
 * people read it off paper and type it back: no I, L, O or U (no 1/I/L or 0/O confusion, no
 * accidental words), case-insensitive, and the look-alikes I/L/O are accepted as 1/1/0.
 *
 * Bits are read big-endian, 5 per symbol; the last symbol is padded with zero bits.
 */
import { CryptoInputError } from "./errors.js";

export const CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Symbol value for an upper-case character (after I/L/O folding), or -1. */
export function crockfordValue(ch: string): number {
  if (ch === "I" || ch === "L") return 1;
  if (ch === "O") return 0;
  return CROCKFORD_ALPHABET.indexOf(ch); // "" and multi-char never reach here
}

export function crockfordEncode(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD_ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Decode symbol values (0..31) back to bytes. Rejects non-zero padding bits so every byte string
 * has exactly one spelling.
 */
export function crockfordDecodeValues(values: readonly number[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.floor((values.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const v of values) {
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new CryptoInputError("base32 value is not canonical");
  }
  return out;
}
