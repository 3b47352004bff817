/**
 * Issuing an SD-JWT VC (`typ` dc+sd-jwt) with @sd-jwt/sd-jwt-vc, signed ES256 by the verifier's key.
 *
 * Layout of the issuer-signed payload:
 *
 *   iss, iat, exp, vct, cnf.jwk (the holder's public signing key), status.status_list {idx, uri}
 *                                       plain: the envelope a relying party always needs
 *   verification {trust_framework, assurance_level, time, evidence[…]}
 *                                       plain (OpenID Connect for Identity Assurance), except
 *   verification.evidence[i].document_details.document_number / date_of_expiry
 *                                       each its own disclosure: "verified under eidas, high" must
 *                                       not hand out the passport number with an age_over_18 claim
 *   _sd                                 one disclosure per document field and per derived claim
 */
import type { JWK } from "jose";
import { SDJwtInstance } from "@sd-jwt/core";
import type { SDJWTConfig } from "@sd-jwt/types";
import { CredentialError } from "./errors.js";
import { hasher, saltGenerator, toSeconds } from "./encoding.js";
import { publicJwk, SIGNING_ALG } from "./keys.js";
import { es256Signer, signingCryptoKey, type SigningKeyInput } from "./sign.js";
import type { Verification } from "./claims.js";
import { REGISTERED_CLAIMS, SD_JWT_VC_TYP } from "./sd-jwt.js";

export { SD_JWT_VC_TYP };
/** Evidence details that are disclosed only with the document field they repeat. */
export const EVIDENCE_DISCLOSABLE = { document_number: "document_no", date_of_expiry: "expiry_date" } as const;

export interface IssueInput {
  issuer: string;
  kid: string;
  signingKey: SigningKeyInput;
  vct: string;
  claims: Record<string, unknown>;
  verification: Verification;
  holderJwk: JWK;
  status: { uri: string; idx: number };
  /** Seconds, milliseconds or a Date; default now. */
  iat?: number | Date;
  /** Seconds, milliseconds or a Date: the document's expiry or the configured maximum. */
  exp: number | Date;
}

/**
 * @sd-jwt/core's instance with the SD-JWT VC media type, which is all @sd-jwt/sd-jwt-vc's
 * SDJwtVcInstance adds for issuing and presenting. That package also parses type metadata with
 * the whole of zod (450 KB minified), which every holder and verifier page would then download;
 * the tests check our credentials with SDJwtVcInstance.verify instead (test/credentials).
 */
class DcSdJwtInstance extends SDJwtInstance<Record<string, unknown>> {
  protected override type = SD_JWT_VC_TYP;
  protected override validateReservedFields(frame: { _sd?: unknown }): void {
    const reserved = ["iss", "nbf", "exp", "cnf", "vct", "status"];
    if (Array.isArray(frame?._sd) && frame._sd.some((k) => reserved.includes(k as string))) throw new CredentialError("an SD-JWT VC may not make iss, nbf, exp, cnf, vct or status disclosable");
  }
}

export function sdJwtVc(extra: SDJWTConfig = {}): SDJwtInstance<Record<string, unknown>> {
  return new DcSdJwtInstance({ hasher, hashAlg: "sha-256", saltGenerator, ...extra });
}

export async function issueCredential(input: IssueInput): Promise<string> {
  const { issuer, kid, vct, claims, verification, holderJwk, status } = input;
  if (!issuer || !kid || !vct) throw new CredentialError("an attestation needs an issuer, a kid and a vct");
  const holder = publicJwk(holderJwk);
  if (holder.kty !== "EC" || holder.crv !== "P-256") throw new CredentialError("the holder key must be a P-256 public JWK");
  if (!verification || typeof verification.trust_framework !== "string") throw new CredentialError("the verification needs a trust_framework");
  if (!status || typeof status.uri !== "string" || !Number.isInteger(status.idx) || status.idx < 0) throw new CredentialError("the status entry needs a uri and a non-negative index");
  const reserved = Object.keys(claims).filter((k) => REGISTERED_CLAIMS.has(k));
  if (reserved.length) throw new CredentialError(`claims may not use the reserved names ${reserved.join(", ")}`);
  const iat = toSeconds(input.iat);
  const exp = toSeconds(input.exp);
  if (exp <= iat) throw new CredentialError("the attestation would be expired when issued");

  const signer = es256Signer(await signingCryptoKey(input.signingKey));
  const payload = {
    iss: issuer,
    iat,
    exp,
    vct,
    cnf: { jwk: { kty: holder.kty, crv: holder.crv, x: holder.x, y: holder.y, ...(holder.kid ? { kid: holder.kid } : {}) } },
    status: { status_list: { idx: status.idx, uri: status.uri } },
    verification,
    ...claims,
  };
  // One disclosure per claim, and the evidence details that repeat document fields.
  const evidenceFrame: Record<number, unknown> = {};
  (verification.evidence ?? []).forEach((e, i) => {
    const details = e?.document_details;
    if (!details) return;
    const sd = Object.keys(EVIDENCE_DISCLOSABLE).filter((k) => details[k] !== undefined);
    if (sd.length) evidenceFrame[i] = { document_details: { _sd: sd } };
  });
  const frame: Record<string, unknown> = { _sd: Object.keys(claims) };
  if (Object.keys(evidenceFrame).length) frame.verification = { evidence: evidenceFrame };
  return sdJwtVc({ signer, signAlg: SIGNING_ALG }).issue(payload as never, frame as never, { header: { kid, typ: SD_JWT_VC_TYP } });
}
