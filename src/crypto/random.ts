/** Cryptographically secure random bytes from the platform CSPRNG. */
import { CryptoInputError } from "./errors.js";
import { getRandomValues } from "./webcrypto.js";

// getRandomValues refuses more than 65,536 bytes per call (QuotaExceededError), so larger
// requests are filled in chunks rather than failing in surprising places.
const MAX_PER_CALL = 65_536;

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new CryptoInputError("randomBytes: length must be a non-negative integer");
  }
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_PER_CALL) {
    getRandomValues(out.subarray(off, Math.min(n, off + MAX_PER_CALL)));
  }
  return out;
}
