/**
 * Sealing JSON to a public key: compact JWE, ECDH-ES+A256KW with A256GCM, and a `typ` naming what
 * is inside, so a submission cannot be passed off as a credential or as verifier keys:
 *
 *   passport-submission+jwe      holder → verifier (the items and their file keys)
 *   passport-credential+jwe      verifier → holder (the SD-JWT VC)
 *   passport-verifier-keys+jwe   member → member (a verifier's private JWKs)
 */
import { CompactEncrypt, compactDecrypt, importJWK, type JWK } from "jose";
import { CredentialError } from "./errors.js";
import { CONTENT_ENC, ENCRYPTION_ALG, importVerifierKeys, publicJwk, type PrivateJwks, type VerifierPrivateKeys } from "./keys.js";
import { utf8, textOf } from "./encoding.js";

export const SUBMISSION_TYP = "passport-submission+jwe";
export const CREDENTIAL_TYP = "passport-credential+jwe";
export const VERIFIER_KEYS_TYP = "passport-verifier-keys+jwe";

export async function sealJson(recipient: JWK, value: unknown, typ: string): Promise<string> {
  const pub = publicJwk(recipient);
  if (pub.kty !== "EC" || pub.crv !== "P-256") throw new CredentialError("sealing needs a P-256 public encryption key");
  const key = await importJWK({ ...pub, alg: ENCRYPTION_ALG }, ENCRYPTION_ALG);
  const header = { alg: ENCRYPTION_ALG, enc: CONTENT_ENC, typ, cty: "json", ...(pub.kid ? { kid: pub.kid } : {}) };
  return new CompactEncrypt(utf8(JSON.stringify(value))).setProtectedHeader(header).encrypt(key);
}

export async function openJson<T = unknown>(privateKey: CryptoKey | JWK, jwe: string, typ: string): Promise<T> {
  const key = privateKey instanceof CryptoKey ? privateKey : await importJWK({ ...privateKey, alg: ENCRYPTION_ALG }, ENCRYPTION_ALG);
  let plaintext: Uint8Array;
  try {
    const r = await compactDecrypt(jwe, key, { keyManagementAlgorithms: [ENCRYPTION_ALG], contentEncryptionAlgorithms: [CONTENT_ENC] });
    if (r.protectedHeader.typ !== typ) throw new CredentialError(`expected a ${typ}, got ${r.protectedHeader.typ ?? "no typ"}`);
    plaintext = r.plaintext;
  } catch (cause) {
    if (cause instanceof CredentialError) throw cause;
    throw new CredentialError(`this ${typ} does not open with this key`, { cause });
  }
  try {
    return JSON.parse(textOf(plaintext)) as T;
  } catch (cause) {
    throw new CredentialError(`this ${typ} does not hold JSON`, { cause });
  }
}

/** Seals a verifier's private JWKs to a member's holder encryption key. */
export function sealVerifierKeys(privateJwks: PrivateJwks, memberEncryptionJwk: JWK): Promise<string> {
  return sealJson(memberEncryptionJwk, { signing: privateJwks.signing, encryption: privateJwks.encryption }, VERIFIER_KEYS_TYP);
}

/** Opens sealed verifier keys with the member's holder encryption key. */
export async function openVerifierKeys(jwe: string, holderEncryptionKey: CryptoKey): Promise<VerifierPrivateKeys> {
  return importVerifierKeys(await openJson<PrivateJwks>(holderEncryptionKey, jwe, VERIFIER_KEYS_TYP));
}
