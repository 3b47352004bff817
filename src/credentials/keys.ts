/**
 * Key pairs of holders and verifiers, made in the browser (or the CLI agent) with WebCrypto:
 *
 *   signing     ES256 (P-256): a holder's is the `cnf` key of its attestations and signs key-binding
 *               JWTs; a verifier's signs attestations and status lists.
 *   encryption  ECDH-ES+A256KW (P-256): a holder's receives sealed credentials and sealed verifier
 *               keys; a verifier's receives sealed submissions.
 *
 * Every public JWK carries `kid` = its RFC 7638 thumbprint, `alg` and `use`, so a verifier's
 * published metadata and the `kid` header of what it signs line up without a registry.
 *
 * A holder's private keys are stored on the server only wrapped under the vault key with the
 * vault's own envelope (src/crypto/envelope.ts): the item-key AAD binds the account id, the data
 * AAD binds account id, the type "holder_keys" and the format version, so a wrapped blob moved to
 * another account, or any blob other than this one, fails to open.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { openItem, sealItem } from "../crypto/envelope.js";
import { CredentialError } from "./errors.js";

export const SIGNING_ALG = "ES256";
export const ENCRYPTION_ALG = "ECDH-ES+A256KW";
export const CONTENT_ENC = "A256GCM";

export interface PublicJwks {
  signing: JWK;
  encryption: JWK;
}
export type PrivateJwks = PublicJwks;

export interface HolderKeys {
  /** ES256 private key: signs key-binding JWTs. */
  signingKey: CryptoKey;
  /** ECDH-ES private key: opens what is sealed to the holder. */
  encryptionKey: CryptoKey;
  /** The public halves, as published (with kid, alg, use). */
  signingJwk: JWK;
  encryptionJwk: JWK;
}

export interface VerifierPrivateKeys {
  signingKey: CryptoKey;
  encryptionKey: CryptoKey;
  privateJwks: PrivateJwks;
  publicJwks: PublicJwks;
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] as const;

/** The public part of a JWK (drops every private member and key_ops/ext that WebCrypto adds). */
export function publicJwk(jwk: JWK): JWK {
  const out: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete out[m];
  delete out.key_ops;
  delete out.ext;
  return out as JWK;
}

function isEcP256(jwk: unknown, priv: boolean): jwk is JWK {
  const j = jwk as JWK | null;
  return !!j && typeof j === "object" && j.kty === "EC" && j.crv === "P-256" && typeof j.x === "string" && typeof j.y === "string" && (!priv || typeof j.d === "string");
}

async function describe(jwk: JWK, alg: string, use: "sig" | "enc"): Promise<JWK> {
  const pub = publicJwk(jwk);
  const kid = await calculateJwkThumbprint({ kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y } as JWK);
  return { ...pub, kid, alg, use };
}

async function newPair(kind: "signing" | "encryption"): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const pair =
    kind === "signing"
      ? await generateKeyPair(SIGNING_ALG, { extractable: true })
      : await generateKeyPair(ENCRYPTION_ALG, { crv: "P-256", extractable: true });
  const priv = await exportJWK(pair.privateKey);
  const pub = await describe(priv, kind === "signing" ? SIGNING_ALG : ENCRYPTION_ALG, kind === "signing" ? "sig" : "enc");
  const { kid, alg, use } = pub;
  return { publicJwk: pub, privateJwk: { ...publicJwk(priv), d: priv.d, kid, alg, use } };
}

/** Imports a private ES256 JWK as a signing CryptoKey (non-extractable unless asked). */
export async function importSigningKey(jwk: JWK, extractable = false): Promise<CryptoKey> {
  if (!isEcP256(jwk, true)) throw new CredentialError("the signing key must be a private P-256 JWK");
  return (await importJWK({ ...jwk, alg: SIGNING_ALG, ext: extractable }, SIGNING_ALG)) as CryptoKey;
}

/** Imports a private ECDH-ES P-256 JWK as a decryption CryptoKey. */
export async function importEncryptionKey(jwk: JWK, extractable = false): Promise<CryptoKey> {
  if (!isEcP256(jwk, true)) throw new CredentialError("the encryption key must be a private P-256 JWK");
  return (await importJWK({ ...jwk, alg: ENCRYPTION_ALG, ext: extractable }, ENCRYPTION_ALG)) as CryptoKey;
}

/** Imports a public ES256 JWK for verifying. */
export async function importVerifyKey(jwk: JWK): Promise<CryptoKey> {
  if (!isEcP256(jwk, false)) throw new CredentialError("the verification key must be a public P-256 JWK");
  return (await importJWK(publicJwk({ ...jwk, alg: SIGNING_ALG }), SIGNING_ALG)) as CryptoKey;
}

const HOLDER_FORMAT = "hk1";
const holderRef = (accountId: string) => ({ id: accountId, type: "holder_keys", version: 1 });

/**
 * A fresh pair of holder key pairs, the private halves wrapped under the vault key for `accountId`.
 * `wrapped` is what the server stores (`PUT /api/vault/holder-keys`); `keys` is ready to use.
 */
export async function generateHolderKeys(vaultKey: CryptoKey, accountId: string): Promise<{ keys: HolderKeys; publicJwks: PublicJwks; wrapped: string }> {
  if (!accountId) throw new CredentialError("holder keys need the account id they belong to");
  const signing = await newPair("signing");
  const encryption = await newPair("encryption");
  const sealed = await sealItem(vaultKey, holderRef(accountId), { signing: signing.privateJwk, encryption: encryption.privateJwk });
  const wrapped = `${HOLDER_FORMAT}:${sealed.wrappedKey}:${sealed.ciphertext}`;
  const publicJwks = { signing: signing.publicJwk, encryption: encryption.publicJwk };
  const keys: HolderKeys = {
    signingKey: await importSigningKey(signing.privateJwk),
    encryptionKey: await importEncryptionKey(encryption.privateJwk),
    signingJwk: publicJwks.signing,
    encryptionJwk: publicJwks.encryption,
  };
  return { keys, publicJwks, wrapped };
}

/** Opens wrapped holder keys; a wrong vault key, another account's blob or a damaged one fails. */
export async function unwrapHolderKeys(vaultKey: CryptoKey, wrapped: string, accountId: string): Promise<HolderKeys> {
  const parts = typeof wrapped === "string" ? wrapped.split(":") : [];
  if (parts.length !== 3 || parts[0] !== HOLDER_FORMAT) throw new CredentialError("the wrapped holder keys have an unknown format");
  let opened: { signing: JWK; encryption: JWK };
  try {
    opened = await openItem(vaultKey, holderRef(accountId), { wrappedKey: parts[1]!, ciphertext: parts[2]! });
  } catch (cause) {
    throw new CredentialError("the holder keys do not open with this vault key for this account", { cause });
  }
  if (!isEcP256(opened?.signing, true) || !isEcP256(opened?.encryption, true)) throw new CredentialError("the wrapped holder keys are damaged");
  return {
    signingKey: await importSigningKey(opened.signing),
    encryptionKey: await importEncryptionKey(opened.encryption),
    signingJwk: await describe(opened.signing, SIGNING_ALG, "sig"),
    encryptionJwk: await describe(opened.encryption, ENCRYPTION_ALG, "enc"),
  };
}

/** A verifier's two key pairs (made in a member's browser or by the CLI agent). */
export async function generateVerifierKeys(): Promise<{ publicJwks: PublicJwks; privateJwks: PrivateJwks }> {
  const signing = await newPair("signing");
  const encryption = await newPair("encryption");
  return {
    publicJwks: { signing: signing.publicJwk, encryption: encryption.publicJwk },
    privateJwks: { signing: signing.privateJwk, encryption: encryption.privateJwk },
  };
}

/** CryptoKeys and JWKs from a verifier's private JWKs (as opened, or read from the agent's file). */
export async function importVerifierKeys(privateJwks: PrivateJwks): Promise<VerifierPrivateKeys> {
  if (!isEcP256(privateJwks?.signing, true) || !isEcP256(privateJwks?.encryption, true)) throw new CredentialError("the verifier keys are damaged");
  return {
    signingKey: await importSigningKey(privateJwks.signing),
    encryptionKey: await importEncryptionKey(privateJwks.encryption),
    privateJwks,
    publicJwks: {
      signing: await describe(privateJwks.signing, SIGNING_ALG, "sig"),
      encryption: await describe(privateJwks.encryption, ENCRYPTION_ALG, "enc"),
    },
  };
}
