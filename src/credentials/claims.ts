/**
 * What one attestation says about one document: the document's own fields (scans excluded: they
 * are checked by the verifier, not attested as data) plus the claims derived from them at issuance:
 *
 *   personal_details   age_over_16/18/21/65 (from birth_date, at `now`), nationality (from
 *                      country_code, which is the citizenship in Telegram's model)
 *   identity documents document_valid (expiry_date absent or not before `now`'s date)
 *
 * Every one of these becomes its own disclosure, so a holder can prove "over 18" without the birth
 * date, or "a valid passport" without its number.
 */
import { isIdentityDocument } from "../documents/types.js";

export const AGE_THRESHOLDS = [16, 18, 21, 65] as const;
export const DERIVED_CLAIMS = ["age_over_16", "age_over_18", "age_over_21", "age_over_65", "nationality", "document_valid"] as const;
export type DerivedClaim = (typeof DERIVED_CLAIMS)[number];

/** The OpenID Connect for Identity Assurance `verification` element an attestation carries. */
export interface Verification {
  trust_framework: string;
  assurance_level?: string;
  /** When the verification was done (RFC 3339). */
  time?: string;
  verification_process?: string;
  evidence?: Evidence[];
  [extra: string]: unknown;
}
export interface Evidence {
  type: "document" | string;
  method?: string;
  time?: string;
  document_details?: {
    type?: string;
    document_number?: string;
    issuer?: { country_code?: string; [k: string]: unknown };
    date_of_issuance?: string;
    date_of_expiry?: string;
    [k: string]: unknown;
  };
  [extra: string]: unknown;
}

/**
 * The `vct` of an attestation of one document type. Pass Passport's own issuer URL (the party that
 * defines the document types), not the verifier's, so every verifier on one Passport server
 * attests the same type under the same name and a relying party can ask for "a passport" without
 * listing verifiers; a verifier's own issuer URL on this server is mapped to the server's. An
 * https URL, collision-resistant as SD-JWT VC asks.
 */
export function vctFor(issuer: string, type: string): string {
  // A verifier's issuer URL on a Passport server (<server>/verifiers/<slug>) names the server's types.
  const base = issuer.replace(/\/+$/, "").replace(/\/verifiers\/[^/]+$/, "");
  return `${base}/vct/${type}`;
}

/** The document type a vct names (its last path segment after /vct/), or null. */
export function typeOfVct(vct: string): string | null {
  const m = /\/vct\/([a-z_]+)$/.exec(vct);
  return m ? m[1]! : null;
}

function isScan(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every(isScan);
  return !!v && typeof v === "object" && "sha256" in v && "id" in v;
}

const todayOf = (now: Date) => now.toISOString().slice(0, 10);

/** Full years between an ISO date of birth and `now` (UTC calendar). */
export function ageAt(birthDate: string, now: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < mo || (now.getUTCMonth() + 1 === mo && now.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}

/** Claims derived from a document at `now`. */
export function derivedClaims(type: string, fields: Record<string, unknown>, now: Date): Partial<Record<DerivedClaim, boolean | string>> {
  const out: Partial<Record<DerivedClaim, boolean | string>> = {};
  if (type === "personal_details") {
    const age = typeof fields.birth_date === "string" ? ageAt(fields.birth_date, now) : null;
    if (age !== null) for (const n of AGE_THRESHOLDS) out[`age_over_${n}`] = age >= n;
    if (typeof fields.country_code === "string" && fields.country_code) out.nationality = fields.country_code;
  }
  if (isIdentityDocument(type)) {
    const expiry = typeof fields.expiry_date === "string" && fields.expiry_date ? fields.expiry_date : null;
    out.document_valid = expiry === null || expiry >= todayOf(now);
  }
  return out;
}

/** The claims object of one document's attestation: its fields (no scans, no empties) plus derived claims. */
export function documentClaims(type: string, fields: Record<string, unknown>, now: Date | number = new Date()): Record<string, unknown> {
  const at = now instanceof Date ? now : new Date(now > 1e11 ? now : now * 1000);
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === "" || isScan(value)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (name === "attestations" || name === "verification") continue;
    claims[name] = value;
  }
  return { ...claims, ...derivedClaims(type, fields, at) };
}
