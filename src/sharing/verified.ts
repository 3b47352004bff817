/**
 * Which of the holder's credentials meets a request's verification standard, decided from the
 * public metadata `GET /api/vault/credentials` returns (no credential is opened for this): the
 * credential must be for the item as it is now (its version), unexpired, unrevoked, and its
 * verification must be under an accepted trust framework and assurance level, recent enough, and
 * based on accepted evidence. Pure and isomorphic: the consent page shows the outcome, the payload
 * composer applies it, tests call it with fixtures.
 */
import type { VerificationConstraint } from "./verification-request.js";

/** The OpenID Connect for Identity Assurance `verification` object a verifier attests. */
export interface IdaVerification {
  trust_framework: string;
  assurance_level?: string;
  /** When the verification was made (ISO 8601). */
  time?: string;
  evidence?: { type: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface VerifierSummary {
  slug: string;
  name: string;
  issuer: string;
  trust_framework: string;
  assurance_level: string | null;
}

/** One entry of `GET /api/vault/credentials` (the contract of issue 9). */
export interface HeldCredential {
  id: string;
  itemId: string;
  itemVersion: number;
  type: string;
  verifier: VerifierSummary;
  verification: IdaVerification;
  /** The SD-JWT VC sealed to the holder's encryption key (`passport-credential+jwe`). */
  sealed: string;
  issuedAt: number | string;
  expiresAt: number | string | null;
  revoked: boolean;
  /** The credential is for the item's current version. */
  current: boolean;
}

/** One entry of `GET /api/verifiers` (the public list of active verifiers). */
export interface PublicVerifier {
  slug: string;
  name: string;
  issuer: string;
  trust_framework: string;
  assurance_level: string | null;
  evidence_methods: string[];
  /** Document types it checks. */
  accepts: string[];
}

export type UnmetReason = "not_current" | "expired" | "revoked" | "trust_framework" | "assurance_level" | "too_old" | "evidence";

const millis = (t: number | string | null | undefined): number | null => {
  if (t === null || t === undefined) return null;
  if (typeof t === "number") return t < 1e11 ? t * 1000 : t; // seconds or milliseconds since the epoch
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
};

/** Why `c` does not meet `constraint` (null: any verification will do), or null when it does. */
export function unmet(c: HeldCredential, constraint: VerificationConstraint | null, now = Date.now(), item?: { id: string; version: number }): UnmetReason | null {
  if (!c.current || (item && (c.itemId !== item.id || c.itemVersion !== item.version))) return "not_current";
  if (c.revoked) return "revoked";
  const exp = millis(c.expiresAt);
  if (exp !== null && exp <= now) return "expired";
  if (!constraint) return null;
  const v = c.verification ?? ({} as IdaVerification);
  if (constraint.trustFrameworks && !constraint.trustFrameworks.includes(v.trust_framework)) return "trust_framework";
  if (constraint.assuranceLevels && !(v.assurance_level && constraint.assuranceLevels.includes(v.assurance_level))) return "assurance_level";
  if (constraint.maxAgeSeconds) {
    const at = millis(v.time ?? null) ?? millis(c.issuedAt);
    if (at === null || now - at > constraint.maxAgeSeconds * 1000) return "too_old";
  }
  if (constraint.evidence && !(v.evidence ?? []).some((e) => constraint.evidence!.includes(e.type))) return "evidence";
  return null;
}

/** The newest credential of `type` that meets the standard, or null. */
export function credentialFor(
  type: string,
  credentials: HeldCredential[],
  constraint: VerificationConstraint | null,
  now = Date.now(),
  item?: { id: string; version: number },
): HeldCredential | null {
  const fits = credentials.filter((c) => c.type === type && unmet(c, constraint, now, item) === null);
  fits.sort((a, b) => (millis(b.issuedAt) ?? 0) - (millis(a.issuedAt) ?? 0));
  return fits[0] ?? null;
}

/**
 * Why none of the credentials of `type` meets the standard: the reason of the closest one (a
 * current credential's mismatch is more useful than "outdated"), or "none" when there is none.
 */
export function whyNoneFor(type: string, credentials: HeldCredential[], constraint: VerificationConstraint | null, now = Date.now(), item?: { id: string; version: number }): UnmetReason | "none" {
  const order: UnmetReason[] = ["trust_framework", "assurance_level", "evidence", "too_old", "expired", "revoked", "not_current"];
  const reasons = credentials.filter((c) => c.type === type).map((c) => unmet(c, constraint, now, item)!);
  return order.find((r) => reasons.includes(r)) ?? "none";
}

/** Verifiers that check `type` and whose own standard meets the constraint: where to get it verified. */
export function verifiersMeeting(verifiers: PublicVerifier[], type: string, constraint: VerificationConstraint | null): PublicVerifier[] {
  return verifiers.filter(
    (v) =>
      v.accepts.includes(type) &&
      (!constraint?.trustFrameworks || constraint.trustFrameworks.includes(v.trust_framework)) &&
      (!constraint?.assuranceLevels || (v.assurance_level !== null && constraint.assuranceLevels.includes(v.assurance_level))) &&
      // Passport's verifiers check documents: evidence "document" is what they all produce.
      (!constraint?.evidence || constraint.evidence.includes("document")),
  );
}

/** A reason in words for the consent page ("its verification expired"). */
export const UNMET_WORDS: Record<UnmetReason | "none", string> = {
  none: "it is not verified",
  not_current: "it changed since it was verified",
  expired: "its verification has expired",
  revoked: "its verification was revoked",
  trust_framework: "it was verified under another trust framework",
  assurance_level: "it was verified at another assurance level",
  too_old: "its verification is older than this app accepts",
  evidence: "it was verified without the evidence this app asks for",
};
