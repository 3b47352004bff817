/**
 * The payload a holder's browser seals for a relying party, and the sealing itself:
 *
 *   {v: 1, iss, aud, sub, nonce, iat, data: {<type>: {version, fields, files: [{id, role, key,
 *    sha256, size, mime}], attestations, credential?, verified_claims?}}, derived?}
 *
 * A verified item carries `credential` (its SD-JWT VC with only the disclosures shared, plus a
 * key-binding JWT over `aud` and `nonce`) and `verified_claims` ({verification, claims}, the
 * OpenID Connect for Identity Assurance response shape, readable without the SDK). `derived`
 * answers the scope passport:derived the same way, with no document data beside it.
 *
 * as a compact JWE to the client's registered encryption key (ECDH-ES+A256KW or RSA-OAEP-256,
 * A256GCM). Each shared scan travels as its own AES key (`key`, base64url); the relying party
 * downloads the ciphertext and checks `sha256` before opening it. Isomorphic: the consent page,
 * the tests and the playground build payloads with this module.
 */
import { CompactEncrypt, importJWK, type JWK } from "jose";
import { b64uEncode } from "../crypto/base64url.js";
import { openItem, unwrapItemKey } from "../crypto/envelope.js";
import type { ScanRef } from "../documents/schemas.js";
import type { DocumentType, ScanRole } from "../documents/types.js";

export const PAYLOAD_VERSION = 1;
export const JWE_TYP = "passport+jwe";

export interface SharedFile {
  id: string;
  role: ScanRole;
  key: string;
  sha256: string;
  size: number;
  mime: string;
}

export interface VerifiedClaims {
  verification: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface SharedDocument {
  version: number;
  fields: Record<string, unknown>;
  files: SharedFile[];
  attestations: string[];
  /** SD-JWT VC + key-binding JWT: a verifier's attestation of the fields shared. */
  credential?: string;
  verified_claims?: VerifiedClaims;
}

/** The answer to scope passport:derived: an attestation disclosing derived claims only. */
export interface SharedDerived {
  credential: string;
  verified_claims: VerifiedClaims;
}

export interface PassportPayload {
  v: number;
  iss: string;
  aud: string;
  sub: string;
  nonce: string;
  iat: number;
  data: Partial<Record<DocumentType, SharedDocument>>;
  derived?: SharedDerived;
}

/** A vault item as the vault API returns it. */
export interface VaultItemEnvelope {
  id: string;
  type: string;
  version: number;
  ciphertext: string;
  wrappedKey: string;
  files: { id: string; wrappedKey: string; sha256: string; size: number }[];
  /** "verified" when the server marks the item so (the email Passport checked itself). */
  verification?: string;
}

const SCAN_FIELDS: Record<string, ScanRole> = {
  front_side: "front_side",
  reverse_side: "reverse_side",
  selfie: "selfie",
  translation: "translation",
  files: "file",
};

/** Opens a vault item and keeps what `fields` lets through; scans come with their own keys. */
export async function shareDocument(vaultKey: CryptoKey, item: VaultItemEnvelope, fields: string[]): Promise<{ doc: SharedDocument; fileIds: string[] }> {
  const data = await openItem<Record<string, unknown>>(vaultKey, item, item);
  const out: SharedDocument = { version: item.version, fields: {}, files: [], attestations: Array.isArray(data.attestations) ? (data.attestations as string[]) : [] };
  const envelopes = new Map(item.files.map((f) => [f.id, f]));
  for (const name of fields) {
    const value = data[name];
    if (value === undefined || value === null || value === "") continue;
    const role = SCAN_FIELDS[name];
    if (!role) {
      out.fields[name] = value;
      continue;
    }
    for (const ref of (Array.isArray(value) ? value : [value]) as ScanRef[]) {
      const env = envelopes.get(ref.id);
      if (!env) throw new Error(`the scan ${ref.id} of your ${item.type} is missing from the vault`);
      const key = await unwrapItemKey(env.wrappedKey, vaultKey, env.id, true);
      const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
      out.files.push({ id: env.id, role, key: b64uEncode(raw), sha256: env.sha256, size: env.size, mime: ref.mime });
    }
  }
  return { doc: out, fileIds: out.files.map((f) => f.id) };
}

/** The newest key the client registered for encryption that Passport can seal to. */
export function pickEncryptionKey(jwks: { keys: JWK[] }): { jwk: JWK; alg: "RSA-OAEP-256" | "ECDH-ES+A256KW" } | null {
  const usable = jwks.keys.filter((k) => k.use !== "sig" && !(k.key_ops && !k.key_ops.includes("encrypt") && !k.key_ops.includes("wrapKey")));
  for (const k of [...usable].reverse()) {
    if (k.kty === "RSA" && (!k.alg || k.alg === "RSA-OAEP-256")) return { jwk: k, alg: "RSA-OAEP-256" };
    if ((k.kty === "EC" || (k.kty === "OKP" && k.crv === "X25519")) && (!k.alg || k.alg === "ECDH-ES+A256KW")) return { jwk: k, alg: "ECDH-ES+A256KW" };
  }
  return null;
}

export async function sealPayload(payload: PassportPayload, key: { jwk: JWK; alg: string }): Promise<string> {
  const publicKey = await importJWK({ ...key.jwk, alg: key.alg }, key.alg);
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, enc: "A256GCM", typ: JWE_TYP, cty: "json", ...(key.jwk.kid ? { kid: key.jwk.kid } : {}) })
    .encrypt(publicKey);
}
