/**
 * Password-KDF parameters, stored per account and handed to the browser at "prelogin".
 *
 * They are stored per account (not a global constant) so the default can be raised for new
 * accounts without breaking old ones, and so tests can create accounts with cheap parameters.
 * The `alg` tag leaves room for argon2id later without guessing from the shape.
 *
 * The bounds matter because the parameters come from the server: a malicious or buggy server could
 * send iterations = 1 (weak) or 10^12 (hangs the tab), or a tiny salt. The browser checks them
 * with `isValidKdfParams` before deriving anything, and refuses any count below the floor built
 * into its bundle (`KDF_ITERATIONS_FLOOR`), so a server cannot make a password cheap to guess.
 */
import { b64uDecode, b64uEncode } from "./base64url.js";
import { CryptoInputError } from "./errors.js";
import { randomBytes } from "./random.js";

export type KdfParams = {
  alg: "pbkdf2-sha256";
  iterations: number;
  /** base64url (no padding) of 16..64 random bytes */
  salt: string;
};

/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA-256. */
export const DEFAULT_KDF_ITERATIONS = 600_000;

export const KDF_ITERATIONS_MIN = 1;
export const KDF_ITERATIONS_MAX = 10_000_000;
export const KDF_SALT_MIN_BYTES = 16;
export const KDF_SALT_MAX_BYTES = 64;
const NEW_SALT_BYTES = 16;

/**
 * The fewest PBKDF2-SHA-256 iterations the browser derives with, whatever the server answers.
 * 100,000: Bitwarden's enforced minimum for PBKDF2-SHA-256 since 2023 and far above NIST SP
 * 800-132's 1,000; a downgraded server gains at most 6x against the 600,000 OWASP recommends
 * (our default), not 600,000x. The floor guards against a downgrade; the target stays KDF_ITERATIONS.
 */
export const KDF_ITERATIONS_FLOOR = 100_000;

/** `true` only in the browser bundle: scripts/build-web.mjs defines it at build time. */
declare const PASSPORT_BROWSER_BUNDLE: boolean | undefined;

/**
 * The floor a derivation uses when the caller names none. In the browser bundle it is
 * KDF_ITERATIONS_FLOOR, fixed when the bundle is built: nothing a server sends at run time can
 * lower it. Node processes (CLI, tests, benchmarks) derive with parameters from their own
 * configuration, never from an untrusted server, so they default to no floor and may pass one.
 */
export const DEFAULT_KDF_FLOOR: number =
  typeof PASSPORT_BROWSER_BUNDLE === "boolean" && PASSPORT_BROWSER_BUNDLE ? KDF_ITERATIONS_FLOOR : KDF_ITERATIONS_MIN;

/** The server asked for fewer iterations than the floor: nothing was derived. */
export class KdfFloorError extends CryptoInputError {
  constructor(readonly iterations: number, readonly floor: number) {
    super(
      `the server asked for a weak key derivation (${iterations} iterations, this page needs at least ${floor}), ` +
        "so your password was not used: the server is misconfigured or not the real Passport",
    );
    this.name = "KdfFloorError";
  }
}

/** Throws KdfFloorError when `params` derive with fewer iterations than `floor`. */
export function checkKdfFloor(params: KdfParams, floor: number = DEFAULT_KDF_FLOOR): void {
  if (params.iterations < floor) throw new KdfFloorError(params.iterations, floor);
}

export function isValidKdfParams(p: unknown): p is KdfParams {
  if (typeof p !== "object" || p === null) return false;
  const { alg, iterations, salt } = p as Record<string, unknown>;
  if (alg !== "pbkdf2-sha256") return false;
  if (
    typeof iterations !== "number" ||
    !Number.isInteger(iterations) ||
    iterations < KDF_ITERATIONS_MIN ||
    iterations > KDF_ITERATIONS_MAX
  ) {
    return false;
  }
  if (typeof salt !== "string") return false;
  let bytes: Uint8Array;
  try {
    bytes = b64uDecode(salt);
  } catch {
    return false;
  }
  return bytes.length >= KDF_SALT_MIN_BYTES && bytes.length <= KDF_SALT_MAX_BYTES;
}

/** Fresh parameters for a new account (or a password change): a random 16-byte salt. */
export function newKdfParams(iterations: number = DEFAULT_KDF_ITERATIONS): KdfParams {
  const params: KdfParams = {
    alg: "pbkdf2-sha256",
    iterations,
    salt: b64uEncode(randomBytes(NEW_SALT_BYTES)),
  };
  if (!isValidKdfParams(params)) {
    throw new CryptoInputError(
      `KDF iterations must be an integer from ${KDF_ITERATIONS_MIN} to ${KDF_ITERATIONS_MAX}`,
    );
  }
  return params;
}
