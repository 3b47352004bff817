/**
 * The holder's side: choosing disclosures and binding the presentation to one relying party
 * (key-binding JWT `kb+jwt` over aud, nonce, iat and sd_hash, signed with the holder's key that
 * the attestation's `cnf` names), and reading an attestation for display without verifying it.
 */
import { CredentialError } from "./errors.js";
import { toSeconds } from "./encoding.js";
import { SIGNING_ALG } from "./keys.js";
import { es256Signer } from "./sign.js";
import { EVIDENCE_DISCLOSABLE, sdJwtVc } from "./issue.js";
import { MalformedSdJwt, parseSdJwt, subjectClaims, unpack } from "./sd-jwt.js";
import type { Verification } from "./claims.js";

export interface PresentOptions {
  aud: string;
  nonce: string;
  /** Seconds, milliseconds or a Date; default now. */
  iat?: number | Date;
}

/**
 * An SD-JWT+KB carrying only the disclosures of `discloseClaimNames` (names the credential lacks
 * are skipped: a request may ask for an optional field the document does not have). The evidence's
 * document_number / date_of_expiry go along with document_no / expiry_date, or when named themselves.
 */
export async function presentCredential(sdJwt: string, discloseClaimNames: readonly string[], holderSigningKey: CryptoKey, o: PresentOptions): Promise<string> {
  if (!o?.aud || !o.nonce) throw new CredentialError("a presentation needs the relying party's aud and nonce");
  let parsed;
  try {
    parsed = await parseSdJwt(sdJwt);
  } catch (cause) {
    throw new CredentialError("this is not an SD-JWT", { cause });
  }
  if (parsed.kbJwt) throw new CredentialError("this SD-JWT is already a presentation");
  const names = new Set(discloseClaimNames);
  const frame: Record<string, unknown> = {};
  const { claims } = unpack(parsed.payload, parsed.disclosures);
  for (const name of names) if (name in claims && name !== "verification") frame[name] = true;
  const evidence = Array.isArray((claims.verification as Verification | undefined)?.evidence) ? (claims.verification as Verification).evidence! : [];
  const evidenceFrame: Record<number, unknown> = {};
  evidence.forEach((e, i) => {
    const details = e?.document_details;
    if (!details) return;
    const pick = Object.fromEntries(
      Object.entries(EVIDENCE_DISCLOSABLE)
        .filter(([detail, field]) => details[detail] !== undefined && (names.has(field) || names.has(detail)))
        .map(([detail]) => [detail, true]),
    );
    if (Object.keys(pick).length) evidenceFrame[i] = { document_details: pick };
  });
  if (Object.keys(evidenceFrame).length) frame.verification = { evidence: evidenceFrame };
  const instance = sdJwtVc({ kbSigner: es256Signer(holderSigningKey), kbSignAlg: SIGNING_ALG });
  return instance.present(sdJwt, frame as never, { kb: { payload: { aud: o.aud, nonce: o.nonce, iat: toSeconds(o.iat) } } });
}

export interface CredentialSummary {
  iss: string;
  vct: string;
  iat?: number;
  exp?: number;
  status?: { status_list?: { idx: number; uri: string } };
  verification?: Verification;
  /** Every disclosable claim the SD-JWT carries (top level). */
  claimNames: string[];
  /** Their values, for the holder's own pages. */
  claims: Record<string, unknown>;
  cnf?: { jwk?: Record<string, unknown> };
}

/** Reads an SD-JWT VC for display. Verifies nothing: use verifyPresentation for that. */
export async function inspectCredential(sdJwt: string): Promise<CredentialSummary> {
  let parsed;
  try {
    parsed = await parseSdJwt(sdJwt);
  } catch (cause) {
    throw new CredentialError(cause instanceof MalformedSdJwt ? cause.message : "this is not an SD-JWT", { cause });
  }
  const { claims: all } = unpack(parsed.payload, parsed.disclosures);
  const claims = subjectClaims(all);
  const p = parsed.payload;
  return {
    iss: String(p.iss ?? ""),
    vct: String(p.vct ?? ""),
    iat: typeof p.iat === "number" ? p.iat : undefined,
    exp: typeof p.exp === "number" ? p.exp : undefined,
    status: p.status as CredentialSummary["status"],
    verification: all.verification as Verification | undefined,
    claimNames: Object.keys(claims),
    claims,
    cnf: p.cnf as CredentialSummary["cnf"],
  };
}
