/**
 * What a relying party asks for: Passport scopes plus options in the `claims` request parameter,
 * in the OpenID Connect for Identity Assurance `verified_claims` shape:
 *
 *   {"userinfo": {"verified_claims": {
 *      "verification": {                                      // optional: only verified documents
 *        "trust_framework": {"values": ["eidas", "de_aml"]},  // null: any; {"value"} or {"values"}
 *        "assurance_level": {"value": "high"},                // optional, same forms
 *        "time": {"max_age": 31536000},                       // optional: checked at most so long ago
 *        "evidence": [{"type": {"value": "document"}}]        // optional: how it was checked
 *      },
 *      "claims": {
 *        "derived": {"age_over_18": {"essential": true}},     // with scope passport:derived
 *        "passport": {"selfie": {"essential": true}, "translation": null, "document_no": null},
 *        "personal_details": {"native_names": null},
 *        "id_document": {"selfie": null}                      // options for a one-of group
 *      }}}}
 *
 * A type (or group) under `claims` must also be asked for by scope. `passport:derived` alone asks
 * whether the holder's identity is verified (to `verification`'s standard); its claims form asks
 * for derived claims; neither delivers document data. Listing ordinary fields limits
 * what is shared to them; `selfie`, `translation` and `native_names` add those parts. A member with
 * {"essential": true} is required; otherwise the holder may leave it out. Shared by the server (to
 * validate) and the browser (to build the consent page and the payload).
 */
import { DOCUMENT_SCHEMAS } from "../documents/schemas.js";
import { type DocumentType, isDocumentType, isIdentityDocument, scanRoles } from "../documents/types.js";
import { DERIVED_KEY, DERIVED_CLAIMS, type DerivedClaim, isDerivedClaim, ONE_OF_GROUPS, type OneOfGroup, SCOPE_PREFIX } from "./scopes.js";
import { parseVerification, type VerificationConstraint } from "./verification-request.js";

export type Want = "no" | "optional" | "required";

export interface ShareOptions {
  /** Fields to share; null means all the type's ordinary fields. */
  fields: string[] | null;
  /** Fields asked for with {"essential": true}: a verified item always discloses them. */
  essential: string[];
  selfie: Want;
  translation: Want;
  nativeNames: Want;
}

export interface RequestEntry {
  /** The scope's name without the prefix: a document type or a one-of group. */
  key: DocumentType | OneOfGroup;
  /** The types that satisfy it: one for a type, several for a group. */
  types: DocumentType[];
  options: ShareOptions;
}

/** What a `passport:derived` request asks for: each derived claim and how much it is wanted (none: "identity verified"). */
export interface DerivedRequest {
  claims: Partial<Record<DerivedClaim, Want>>;
}

export interface ShareRequest {
  entries: RequestEntry[];
  /** True when `verification` was given: entries are answered only with items verified to `verification`. */
  verifiedOnly: boolean;
  /** The standard a verification must meet; null when the request set none. */
  verification: VerificationConstraint | null;
  /** Claims without documents (scope passport:derived), always verified; null when not asked. */
  derived: DerivedRequest | null;
}

import { ShareRequestError } from "./request-error.js";
export { ShareRequestError };

const SPECIAL = new Set(["selfie", "translation", "native_names"]);
const NATIVE = ["first_name_native", "middle_name_native", "last_name_native"];

/** Ordinary fields a type can share (scan slots included, options excluded). */
export function shareableFields(type: DocumentType): string[] {
  const shape = (DOCUMENT_SCHEMAS[type] as unknown as { shape: Record<string, unknown> }).shape;
  return Object.keys(shape).filter((f) => f !== "selfie" && f !== "translation" && !NATIVE.includes(f));
}

function want(value: unknown, where: string): Want {
  if (value === null) return "optional";
  if (typeof value === "object" && !Array.isArray(value)) {
    const essential = (value as { essential?: unknown }).essential;
    if (essential !== undefined && typeof essential !== "boolean") throw new ShareRequestError(`${where}.essential must be true or false`);
    return essential ? "required" : "optional";
  }
  throw new ShareRequestError(`${where} must be null or an object like {"essential": true}`);
}

function parseOptions(key: string, types: DocumentType[], spec: unknown): ShareOptions {
  const options: ShareOptions = { fields: null, essential: [], selfie: "no", translation: "no", nativeNames: "no" };
  if (spec === null || spec === undefined) return options;
  const where = `verified_claims.claims.${key}`;
  if (typeof spec !== "object" || Array.isArray(spec)) throw new ShareRequestError(`${where} must be null or an object`);
  const known = new Set(types.flatMap(shareableFields));
  const fields: string[] = [];
  for (const [name, value] of Object.entries(spec as Record<string, unknown>)) {
    const w = want(value, `${where}.${name}`);
    if (name === "selfie" && types.some(isIdentityDocument)) options.selfie = w;
    else if (name === "translation" && types.some((t) => scanRoles(t).includes("translation"))) options.translation = w;
    else if (name === "native_names" && types.includes("personal_details")) options.nativeNames = w;
    else if (!SPECIAL.has(name) && known.has(name)) {
      fields.push(name);
      if (w === "required") options.essential.push(name);
    }
    else throw new ShareRequestError(`${where}.${name} is not something ${key} can share`);
  }
  if (fields.length) options.fields = fields;
  return options;
}

/** Reads the scopes and the claims parameter; throws ShareRequestError with a plain description. */
export function parseShareRequest(scope: string, claimsParam: unknown): ShareRequest {
  const keys = scope
    .split(" ")
    .filter((s) => s.startsWith(SCOPE_PREFIX))
    .map((s) => s.slice(SCOPE_PREFIX.length));
  const vc = readVerifiedClaims(claimsParam);
  const specs = (vc?.claims ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(specs)) {
    if (!keys.includes(name)) {
      throw new ShareRequestError(`verified_claims.claims.${name} needs the scope ${SCOPE_PREFIX}${name}`);
    }
  }
  const entries = keys.filter((k) => k !== DERIVED_KEY).map((key): RequestEntry => {
    const types = key in ONE_OF_GROUPS ? [...ONE_OF_GROUPS[key as OneOfGroup]] : isDocumentType(key) ? [key] : [];
    if (!types.length) throw new ShareRequestError(`unknown scope ${SCOPE_PREFIX}${key}`);
    return { key: key as RequestEntry["key"], types, options: parseOptions(key, types, specs[key]) };
  });
  const verification = vc && vc.verification !== undefined ? parseVerification(vc.verification) : null;
  const derived = keys.includes(DERIVED_KEY) ? parseDerived(specs[DERIVED_KEY]) : null;
  return { entries, verifiedOnly: verification !== null, verification, derived };
}

function parseDerived(spec: unknown): DerivedRequest {
  const claims: DerivedRequest["claims"] = {};
  if (spec === null || spec === undefined) return { claims };
  const where = `verified_claims.claims.${DERIVED_KEY}`;
  if (typeof spec !== "object" || Array.isArray(spec)) throw new ShareRequestError(`${where} must be null or an object of derived claims (${DERIVED_CLAIMS.join(", ")})`);
  for (const [name, value] of Object.entries(spec as Record<string, unknown>)) {
    if (!isDerivedClaim(name)) throw new ShareRequestError(`${where}.${name} is not a derived claim Passport attests (${DERIVED_CLAIMS.join(", ")})`);
    claims[name] = want(value, `${where}.${name}`);
  }
  return { claims };
}

function readVerifiedClaims(claimsParam: unknown): { claims?: unknown; verification?: unknown } | null {
  if (claimsParam === undefined || claimsParam === null) return null;
  const parsed = typeof claimsParam === "string" ? safeJson(claimsParam) : claimsParam;
  if (!parsed || typeof parsed !== "object") throw new ShareRequestError("claims must be a JSON object");
  const vc = (parsed as { userinfo?: { verified_claims?: unknown } }).userinfo?.verified_claims;
  if ((parsed as { id_token?: { verified_claims?: unknown } }).id_token?.verified_claims !== undefined) {
    throw new ShareRequestError("Passport data is delivered at the userinfo endpoint only: ask for verified_claims under claims.userinfo");
  }
  if (vc === undefined || vc === null) return null;
  if (typeof vc !== "object" || Array.isArray(vc)) throw new ShareRequestError("claims.userinfo.verified_claims must be an object");
  const { claims, verification, ...rest } = vc as Record<string, unknown>;
  if (Object.keys(rest).length) throw new ShareRequestError(`verified_claims.${Object.keys(rest)[0]} is not supported (use claims and verification)`);
  if (claims !== undefined && (typeof claims !== "object" || claims === null || Array.isArray(claims))) {
    throw new ShareRequestError("verified_claims.claims must be an object");
  }
  if (verification !== undefined && (typeof verification !== "object" || Array.isArray(verification))) {
    throw new ShareRequestError("verified_claims.verification must be an object or null");
  }
  return { claims, verification };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new ShareRequestError("claims is not valid JSON");
  }
}

/** The fields of one document a request entry lets through (scans as their roles). */
export function fieldsToShare(type: DocumentType, o: ShareOptions, include: { selfie: boolean; translation: boolean; nativeNames: boolean }): string[] {
  const base = o.fields ?? shareableFields(type);
  const extra = [
    ...(include.selfie && isIdentityDocument(type) ? ["selfie"] : []),
    ...(include.translation && scanRoles(type).includes("translation") ? ["translation"] : []),
    ...(include.nativeNames && type === "personal_details" ? NATIVE : []),
  ];
  return [...base.filter((f) => shareableFields(type).includes(f)), ...extra];
}
