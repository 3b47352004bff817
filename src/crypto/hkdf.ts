/**
 * HKDF-SHA-256 helpers shared by the password and recovery-key hierarchies.
 *
 * Every sub-key is derived from one base key with a distinct, versioned `info` string
 * ("passport/<purpose>/v1"), so the keys are independent: learning the auth key (which the server
 * receives) reveals nothing about the KEK. The salt is empty on purpose: the inputs are already
 * uniformly random 256-bit keys (PBKDF2 output or recovery-key bytes), where RFC 5869 says a salt
 * adds nothing; domain separation comes from `info`.
 */
import { b64uEncode } from "./base64url.js";
import { subtle, utf8 } from "./webcrypto.js";

const EMPTY_SALT = new Uint8Array(0);

/** Import 32 secret bytes as a non-extractable HKDF base key, then wipe the caller's copy. */
export async function importHkdfBase(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await subtle().importKey("raw", secret, "HKDF", false, ["deriveBits", "deriveKey"]);
  } finally {
    // Best effort: the key now lives inside WebCrypto; don't leave a plain copy on the JS heap.
    secret.fill(0);
  }
}

/** HKDF → 32 bytes → base64url. Used for auth keys, the values sent to the server. */
export async function hkdfB64u(base: CryptoKey, info: string): Promise<string> {
  const bits = await subtle().deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: EMPTY_SALT, info: utf8(info) },
    base,
    256,
  );
  return b64uEncode(new Uint8Array(bits));
}

/**
 * HKDF → a non-extractable AES-256-GCM key-encryption key.
 *
 * Its only usages are wrapKey/unwrapKey: a KEK never encrypts data, and with `unwrapKey` the
 * unwrapped vault key goes straight into a (non-extractable) CryptoKey without its raw bytes ever
 * existing in JavaScript memory.
 */
export async function hkdfKek(base: CryptoKey, info: string): Promise<CryptoKey> {
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: EMPTY_SALT, info: utf8(info) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}
