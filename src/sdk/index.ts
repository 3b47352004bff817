/**
 * Passport relying-party SDK. Given the userinfo response and the client's private key, it opens
 * and checks the `passport` payload (issuer, audience, nonce, freshness, shape), downloads shared
 * scans, checks their SHA-256 and opens them. Works in any Node (≥ 20) relying party and in
 * browsers; uses jose and WebCrypto. Every Passport server serves it (scripts/build-sdk.mjs):
 * `npm install <issuer>/sdk/passport-sdk.tgz`, or `<issuer>/sdk/passport-sdk.js` for browsers.
 *
 *   import { openPassport, downloadScan } from "passport-sdk";
 *   const passport = await openPassport(userinfo, privateKey, { issuer, clientId, nonce });
 *   const front = passport.data.passport?.files.find((f) => f.role === "front_side");
 *   const bytes = await downloadScan(issuer, accessToken, front!);
 */
import { compactDecrypt, type CryptoKey as JoseKey, type KeyObject } from "jose";
import { z } from "zod";
import { DOCUMENT_TYPES, type DocumentType } from "../documents/types.js";
import { b64uDecode } from "../crypto/base64url.js";
import { openFileWithKey, sha256Hex } from "../crypto/envelope.js";
import { JWE_TYP, PAYLOAD_VERSION, type PassportPayload, type SharedDocument, type SharedFile } from "../sharing/payload.js";

export type { PassportPayload, SharedDocument, SharedFile };
export { DOCUMENT_TYPES };

export class PassportError extends Error {
  constructor(
    readonly code: "no_passport" | "decrypt_failed" | "invalid_payload" | "wrong_issuer" | "wrong_audience" | "wrong_nonce" | "wrong_subject" | "stale" | "download_failed" | "hash_mismatch",
    message: string,
  ) {
    super(message);
    this.name = "PassportError";
  }
}

const sharedFile = z.object({
  id: z.string().uuid(),
  role: z.enum(["front_side", "reverse_side", "selfie", "translation", "file"]),
  key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  mime: z.string().max(100),
});
const verifiedClaims = z.object({ verification: z.record(z.string(), z.unknown()), claims: z.record(z.string(), z.unknown()) });
const sharedDocument = z.object({
  version: z.number().int().min(1),
  fields: z.record(z.string(), z.unknown()),
  files: z.array(sharedFile),
  attestations: z.array(z.string()),
  // A verified item: the SD-JWT VC presentation and its claims in the OIDC4IDA response shape.
  credential: z.string().optional(),
  verified_claims: verifiedClaims.optional(),
});
const payloadSchema = z.object({
  v: z.literal(PAYLOAD_VERSION),
  iss: z.string(),
  aud: z.string(),
  sub: z.string(),
  nonce: z.string(),
  iat: z.number().int(),
  data: z.partialRecord(z.enum(DOCUMENT_TYPES), sharedDocument),
  // Scope passport:derived: derived claims only, attested, with no document data.
  derived: z.object({ credential: z.string(), verified_claims: verifiedClaims }).optional(),
});

export interface OpenOptions {
  issuer: string;
  clientId: string;
  /** The nonce this relying party sent with the authorization request. */
  nonce: string;
  /** The `sub` of the ID token / userinfo, to bind the payload to the same holder. */
  sub?: string;
  /** How old the payload may be, in seconds (default 600). */
  maxAgeSeconds?: number;
  now?: () => number;
}

type PrivateKey = JoseKey | KeyObject | CryptoKey | Uint8Array;

/**
 * The userinfo response as a client library returns it. The index signature lets openid-client's
 * UserInfoResponse (and any other claims object) pass as it is; without it TypeScript treats the
 * all-optional type as "weak" and refuses objects that share no property with it.
 */
export type UserInfoClaims = { readonly passport?: unknown; readonly [claim: string]: unknown };

/** Opens and checks the `passport` claim (the userinfo object or the JWE string itself). */
export async function openPassport(userinfo: UserInfoClaims | string, privateKey: PrivateKey, o: OpenOptions): Promise<PassportPayload> {
  const jwe = typeof userinfo === "string" ? userinfo : userinfo.passport;
  if (typeof jwe !== "string") throw new PassportError("no_passport", "the userinfo response carries no passport claim");
  let plaintext: Uint8Array;
  try {
    const result = await compactDecrypt(jwe, privateKey as JoseKey, { contentEncryptionAlgorithms: ["A256GCM"], keyManagementAlgorithms: ["ECDH-ES+A256KW", "RSA-OAEP-256"] });
    if (result.protectedHeader.typ !== JWE_TYP) throw new Error(`unexpected typ ${result.protectedHeader.typ}`);
    plaintext = result.plaintext;
  } catch (err) {
    throw new PassportError("decrypt_failed", `the passport payload does not open with this key: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    throw new PassportError("invalid_payload", "the passport payload is not JSON");
  }
  const r = payloadSchema.safeParse(parsed);
  if (!r.success) throw new PassportError("invalid_payload", `the passport payload has an unexpected shape: ${r.error.issues[0]?.path.join(".")} ${r.error.issues[0]?.message}`);
  const p = r.data as PassportPayload;
  if (p.iss !== o.issuer) throw new PassportError("wrong_issuer", `payload issuer ${p.iss} is not ${o.issuer}`);
  if (p.aud !== o.clientId) throw new PassportError("wrong_audience", "the payload was sealed for another client");
  if (p.nonce !== o.nonce) throw new PassportError("wrong_nonce", "the payload's nonce does not match this authorization request");
  if (o.sub !== undefined && p.sub !== o.sub) throw new PassportError("wrong_subject", "the payload belongs to another subject");
  const now = Math.floor((o.now?.() ?? Date.now()) / 1000);
  const maxAge = o.maxAgeSeconds ?? 600;
  if (p.iat > now + 60 || p.iat < now - maxAge) throw new PassportError("stale", `the payload was sealed at ${p.iat}, outside the last ${maxAge} s`);
  return p;
}

/** Downloads a shared scan with the access token, checks its SHA-256 and opens it. */
export async function downloadScan(issuer: string, accessToken: string, file: SharedFile, fetchImpl: typeof fetch = fetch): Promise<Uint8Array> {
  const res = await fetchImpl(`${issuer.replace(/\/$/, "")}/passport/files/${encodeURIComponent(file.id)}`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!res.ok) throw new PassportError("download_failed", `the scan could not be downloaded (HTTP ${res.status})`);
  const sealed = new Uint8Array(await res.arrayBuffer());
  if ((await sha256Hex(sealed)) !== file.sha256) throw new PassportError("hash_mismatch", "the downloaded scan does not match its SHA-256");
  const key = await crypto.subtle.importKey("raw", b64uDecode(file.key), "AES-GCM", false, ["decrypt"]);
  return openFileWithKey(key, file.id, sealed);
}

/** The document types present in a payload. */
export function sharedTypes(p: PassportPayload): DocumentType[] {
  return Object.keys(p.data) as DocumentType[];
}

export { verifyCredentials, issuerMetadataUrl, type VerifyCredentialsOptions, type CredentialsReport, type CredentialCheck, type ClaimCheck, type CredentialReason } from "./credentials.js";
