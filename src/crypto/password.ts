/**
 * Password → master key → { authKey, kek }.
 *
 *   master  = PBKDF2-SHA-256(NFKC(password), salt, iterations, 256 bits)   (HKDF base, non-extractable)
 *   authKey = b64u(HKDF-SHA-256(master, salt = "", info = "passport/auth/v1",  32 bytes))
 *   kek     = HKDF-SHA-256(master, salt = "", info = "passport/vault/v1") as AES-256-GCM
 *
 * The server only ever sees authKey (and stores argon2id(authKey)); it cannot get from authKey back
 * to the master key or sideways to the kek, so it can never unwrap the vault key.
 */
import { CryptoInputError } from "./errors.js";
import { hkdfB64u, hkdfKek, importHkdfBase } from "./hkdf.js";
import { b64uDecode } from "./base64url.js";
import { checkKdfFloor, DEFAULT_KDF_FLOOR, isValidKdfParams, type KdfParams } from "./kdf-params.js";
import { subtle, utf8 } from "./webcrypto.js";

export const AUTH_INFO = "passport/auth/v1";
export const VAULT_INFO = "passport/vault/v1";

/**
 * NFKC so that the same password typed on different keyboards / operating systems (e.g. "é" as one
 * code point on one, "e" + combining accent on another; full-width digits on an IME) derives the
 * same key. Without it someone could be locked out of their vault by switching devices.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** `floor`: the fewest iterations accepted (the browser bundle's built-in floor unless given). */
export async function deriveMasterKey(password: string, params: KdfParams, floor: number = DEFAULT_KDF_FLOOR): Promise<CryptoKey> {
  if (typeof password !== "string") throw new CryptoInputError("password must be a string");
  // Parameters come from the server; refuse weak or absurd ones before spending any CPU.
  if (!isValidKdfParams(params)) throw new CryptoInputError("KDF parameters are not valid");
  checkKdfFloor(params, floor);

  const s = subtle();
  const pwKey = await s.importKey("raw", utf8(normalizePassword(password)), "PBKDF2", false, [
    "deriveBits",
  ]);
  // WebCrypto cannot deriveKey straight from PBKDF2 into an HKDF key (HKDF has no length),
  // so derive the bits and import them; importHkdfBase wipes the intermediate copy.
  const bits = await s.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: b64uDecode(params.salt), iterations: params.iterations },
    pwKey,
    256,
  );
  return importHkdfBase(new Uint8Array(bits));
}

/** What the browser sends to sign in; the server stores only argon2id of it. */
export function deriveAuthKey(master: CryptoKey): Promise<string> {
  return hkdfB64u(master, AUTH_INFO);
}

/** Key-encryption key for the password-wrapped copy of the vault key. */
export function deriveKek(master: CryptoKey): Promise<CryptoKey> {
  return hkdfKek(master, VAULT_INFO);
}

/** Both password-derived keys from one (expensive) PBKDF2 run. */
export async function derivePasswordKeys(
  password: string,
  params: KdfParams,
  floor: number = DEFAULT_KDF_FLOOR,
): Promise<{ authKey: string; kek: CryptoKey }> {
  const master = await deriveMasterKey(password, params, floor);
  const [authKey, kek] = await Promise.all([deriveAuthKey(master), deriveKek(master)]);
  return { authKey, kek };
}
