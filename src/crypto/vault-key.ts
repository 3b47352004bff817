/**
 * The vault key: one random AES-256-GCM key per account that wraps every item key. It is stored on
 * the server only in wrapped form, twice: once under the password KEK, once under the recovery KEK.
 * Changing the password re-wraps this key; no item has to be re-encrypted.
 *
 * Wrapped format (a compact string, safe in JSON and URLs):
 *
 *     v1.<b64u iv: 12 bytes>.<b64u AES-256-GCM(raw vault key) || tag: 32 + 16 = 48 bytes>
 *
 * - "v1" names the whole recipe (AES-256-GCM, 96-bit random IV, 128-bit tag, this AAD), so a
 *   future format can be told apart instead of failing as "wrong password".
 * - AAD = UTF-8 "passport/vault-key/v1/<purpose>" with purpose "password" | "recovery". It binds the
 *   blob to its slot: a password-wrapped blob presented as the recovery copy (or the reverse) fails
 *   authentication even under the right key, so the server cannot swap the two.
 * - A random IV is safe here: a KEK wraps very few keys in its life (one per password change), far
 *   below the 2^32 random-IV limit for AES-GCM.
 */
import { b64uDecode, b64uEncode } from "./base64url.js";
import { CryptoError, CryptoInputError } from "./errors.js";
import { randomBytes } from "./random.js";
import { subtle, utf8 } from "./webcrypto.js";

export type WrapPurpose = "password" | "recovery";

export const WRAP_VERSION = "v1";
const IV_BYTES = 12;
const KEY_BYTES = 32;
const TAG_BYTES = 16;

// The vault key wraps item keys (wrapKey/unwrapKey) and may seal small payloads directly
// (encrypt/decrypt); the algorithm is the same, so one key object serves both.
const VAULT_KEY_USAGES: KeyUsage[] = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];

const FAILURE_MESSAGE: Record<WrapPurpose, string> = {
  password: "wrong password or damaged key",
  recovery: "wrong recovery key or damaged key",
};

function checkPurpose(purpose: unknown): asserts purpose is WrapPurpose {
  if (purpose !== "password" && purpose !== "recovery") {
    throw new CryptoInputError('wrap purpose must be "password" or "recovery"');
  }
}

function aad(purpose: WrapPurpose): Uint8Array<ArrayBuffer> {
  return utf8(`passport/vault-key/${WRAP_VERSION}/${purpose}`);
}

function isAesGcm256(key: CryptoKey): boolean {
  const alg = key.algorithm as AesKeyAlgorithm;
  return alg.name === "AES-GCM" && alg.length === 256;
}

// Check the wrapping key up front so a programming error (wrong key type or usages) is reported
// as such, instead of surfacing later as a misleading "wrong password".
function checkWrappingKey(key: CryptoKey, usage: "wrapKey" | "unwrapKey"): void {
  if (!(key instanceof CryptoKey) || key.type !== "secret" || !isAesGcm256(key)) {
    throw new CryptoInputError("wrapping key must be an AES-256-GCM key");
  }
  if (!key.usages.includes(usage)) {
    throw new CryptoInputError(`wrapping key does not allow ${usage}`);
  }
}

/** A fresh random vault key. Extractable, because it must be wrappable; see unwrapVaultKey. */
export async function generateVaultKey(): Promise<CryptoKey> {
  return subtle().generateKey({ name: "AES-GCM", length: 256 }, true, VAULT_KEY_USAGES);
}

export async function wrapVaultKey(
  vaultKey: CryptoKey,
  wrappingKey: CryptoKey,
  purpose: WrapPurpose,
): Promise<string> {
  checkPurpose(purpose);
  checkWrappingKey(wrappingKey, "wrapKey");
  if (!(vaultKey instanceof CryptoKey) || vaultKey.type !== "secret" || !isAesGcm256(vaultKey)) {
    throw new CryptoInputError("vault key must be an AES-256-GCM key");
  }
  if (!vaultKey.extractable) {
    throw new CryptoInputError("vault key is not extractable, so it cannot be wrapped");
  }
  const iv = randomBytes(IV_BYTES);
  const ct = await subtle().wrapKey("raw", vaultKey, wrappingKey, {
    name: "AES-GCM",
    iv,
    additionalData: aad(purpose),
    tagLength: TAG_BYTES * 8,
  });
  return `${WRAP_VERSION}.${b64uEncode(iv)}.${b64uEncode(new Uint8Array(ct))}`;
}

function parseWrapped(wrapped: unknown): { iv: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> } {
  const bad = () => new CryptoInputError("wrapped key is damaged or in an unknown format");
  if (typeof wrapped !== "string") throw bad();
  const parts = wrapped.split(".");
  if (parts.length !== 3 || parts[0] !== WRAP_VERSION) throw bad();
  let iv: Uint8Array<ArrayBuffer>;
  let ct: Uint8Array<ArrayBuffer>;
  try {
    iv = b64uDecode(parts[1]);
    ct = b64uDecode(parts[2]);
  } catch (cause) {
    throw new CryptoInputError("wrapped key is damaged or in an unknown format", { cause });
  }
  if (iv.length !== IV_BYTES || ct.length !== KEY_BYTES + TAG_BYTES) throw bad();
  return { iv, ct };
}

/**
 * Unwrap a vault key. Non-extractable by default: after sign-in the browser keeps the key in
 * IndexedDB, and a non-extractable CryptoKey there cannot be read out by script (XSS), only used.
 * Pass `{ extractable: true }` only where the key must be re-wrapped (password change, recovery).
 *
 * Wrong key, tampered IV/ciphertext, or the wrong purpose all fail GCM authentication the same
 * way; we turn that into a CryptoError with a sentence a person can act on.
 */
export async function unwrapVaultKey(
  wrapped: string,
  wrappingKey: CryptoKey,
  purpose: WrapPurpose,
  opts: { extractable?: boolean } = {},
): Promise<CryptoKey> {
  checkPurpose(purpose);
  checkWrappingKey(wrappingKey, "unwrapKey");
  const { iv, ct } = parseWrapped(wrapped);
  try {
    return await subtle().unwrapKey(
      "raw",
      ct,
      wrappingKey,
      { name: "AES-GCM", iv, additionalData: aad(purpose), tagLength: TAG_BYTES * 8 },
      { name: "AES-GCM", length: 256 },
      opts.extractable === true,
      VAULT_KEY_USAGES,
    );
  } catch (cause) {
    throw new CryptoError(FAILURE_MESSAGE[purpose], { cause });
  }
}
