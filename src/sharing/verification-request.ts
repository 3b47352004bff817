/**
 * The `verification` member of a `verified_claims` request (OpenID Connect for Identity Assurance
 * 1.0, section 6): the standard a verification must meet for the relying party to accept it.
 *
 *   {"trust_framework": {"value": "eidas"} | {"values": ["eidas", "de_aml"]} | null,
 *    "assurance_level": {"value": "high"} | {"values": [...]},
 *    "time": {"max_age": 31536000},
 *    "evidence": [{"type": {"value": "document"}}]}
 *
 * Every member is optional; `{}` or `{"trust_framework": null}` means "verified, to any standard".
 * Malformed constraints are refused (the provider answers invalid_request with the description):
 * a relying party that misspells a constraint must not silently receive less than it asked for.
 * Isomorphic: the server validates with it, the consent page and the payload composer apply it.
 */
import { ShareRequestError } from "./request-error.js";

/** Evidence types Passport's verifiers produce (discovery's evidence_supported). */
export const EVIDENCE_SUPPORTED = ["document"] as const;

export interface VerificationConstraint {
  /** Accepted trust frameworks; null: any. */
  trustFrameworks: string[] | null;
  /** Accepted assurance levels; null: any. */
  assuranceLevels: string[] | null;
  /** How long ago (seconds) the verification may have been made; null: any time. */
  maxAgeSeconds: number | null;
  /** Evidence types of which the verification must include one; null: any. */
  evidence: string[] | null;
}

const MEMBERS = ["trust_framework", "assurance_level", "time", "evidence"];
const WHERE = "verified_claims.verification";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown, where: string): string {
  if (typeof v !== "string" || !v.length || v.length > 100) throw new ShareRequestError(`${where} must be a non-empty string of at most 100 characters`);
  return v;
}

/** {"value": x} or {"values": [x, …]} (with an optional "essential" and "purpose"); null: any value. */
function valueOrValues(v: unknown, where: string): string[] | null {
  if (v === null || v === undefined) return null;
  const form = `${where} must be null, {"value": "…"} or {"values": ["…"]}`;
  if (!isObject(v)) throw new ShareRequestError(form);
  for (const k of Object.keys(v)) if (!["value", "values", "essential", "purpose"].includes(k)) throw new ShareRequestError(`${where}.${k} is not supported (${form.slice(where.length + 1)})`);
  if (v.essential !== undefined && typeof v.essential !== "boolean") throw new ShareRequestError(`${where}.essential must be true or false`);
  if (v.value !== undefined && v.values !== undefined) throw new ShareRequestError(`${where} has both value and values: give one`);
  if (v.value !== undefined) return [text(v.value, `${where}.value`)];
  if (v.values !== undefined) {
    if (!Array.isArray(v.values) || !v.values.length || v.values.length > 20) throw new ShareRequestError(`${where}.values must be a list of 1 to 20 strings`);
    return v.values.map((x, i) => text(x, `${where}.values[${i}]`));
  }
  return null;
}

function maxAge(v: unknown): number | null {
  const where = `${WHERE}.time`;
  if (v === null || v === undefined) return null;
  if (!isObject(v)) throw new ShareRequestError(`${where} must be null or {"max_age": seconds}`);
  for (const k of Object.keys(v)) if (!["max_age", "essential", "purpose"].includes(k)) throw new ShareRequestError(`${where}.${k} is not supported (use max_age)`);
  if (v.max_age === undefined) return null;
  if (typeof v.max_age !== "number" || !Number.isInteger(v.max_age) || v.max_age < 1) throw new ShareRequestError(`${where}.max_age must be a whole number of seconds, at least 1`);
  return v.max_age;
}

function evidence(v: unknown): string[] | null {
  const where = `${WHERE}.evidence`;
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v) || !v.length || v.length > 10) throw new ShareRequestError(`${where} must be a list of 1 to 10 objects like {"type": {"value": "document"}}`);
  const types = new Set<string>();
  v.forEach((e, i) => {
    if (!isObject(e)) throw new ShareRequestError(`${where}[${i}] must be an object like {"type": {"value": "document"}}`);
    const wanted = valueOrValues(e.type, `${where}[${i}].type`);
    if (!wanted) throw new ShareRequestError(`${where}[${i}].type must name the evidence type, like {"value": "document"}`);
    for (const t of wanted) {
      if (!(EVIDENCE_SUPPORTED as readonly string[]).includes(t)) throw new ShareRequestError(`${where}[${i}].type ${t} is not supported (Passport's verifiers check: ${EVIDENCE_SUPPORTED.join(", ")})`);
      types.add(t);
    }
  });
  return [...types];
}

/** Reads `verification` (already known to be an object or null); throws ShareRequestError. */
export function parseVerification(v: unknown): VerificationConstraint {
  if (v !== null && !isObject(v)) throw new ShareRequestError(`${WHERE} must be an object or null`);
  const o = v ?? {};
  for (const k of Object.keys(o)) if (!MEMBERS.includes(k)) throw new ShareRequestError(`${WHERE}.${k} is not supported (use ${MEMBERS.join(", ")})`);
  return {
    trustFrameworks: valueOrValues(o.trust_framework, `${WHERE}.trust_framework`),
    assuranceLevels: valueOrValues(o.assurance_level, `${WHERE}.assurance_level`),
    maxAgeSeconds: maxAge(o.time),
    evidence: evidence(o.evidence),
  };
}

/** The constraint in words, for the consent page: "under eidas or de_aml, at level high, checked within 365 days". */
export function constraintWords(c: VerificationConstraint): string {
  const parts: string[] = [];
  if (c.trustFrameworks) parts.push(`under ${c.trustFrameworks.join(" or ")}`);
  if (c.assuranceLevels) parts.push(`at assurance level ${c.assuranceLevels.join(" or ")}`);
  if (c.evidence) parts.push(`checked against ${c.evidence.map((e) => (e === "document" ? "an identity document" : e)).join(" or ")}`);
  if (c.maxAgeSeconds) parts.push(`within the last ${ageWords(c.maxAgeSeconds)}`);
  return parts.join(", ");
}

function ageWords(s: number): string {
  const day = 86_400;
  if (s >= 365 * day && s % (365 * day) < day) return `${Math.round(s / (365 * day))} year(s)`;
  if (s >= day) return `${Math.round(s / day)} day(s)`;
  if (s >= 3600) return `${Math.round(s / 3600)} hour(s)`;
  return `${s} second(s)`;
}
