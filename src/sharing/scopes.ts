// Passport scopes: one per document type, plus "any one of" the identity documents or the proofs
// of address, plus `passport:derived` (claims without documents: "over 18", "identity verified").
// Each releases the `passport` claim (the sealed payload) at the userinfo endpoint.
import { ADDRESS_DOCUMENTS, DOCUMENT_LABELS, DOCUMENT_TYPES, IDENTITY_DOCUMENTS, type DocumentType } from "../documents/types.js";

export const SCOPE_PREFIX = "passport:";
export const ONE_OF_GROUPS = {
  id_document: IDENTITY_DOCUMENTS as readonly DocumentType[],
  address_document: ADDRESS_DOCUMENTS as readonly DocumentType[],
} as const;
export type OneOfGroup = keyof typeof ONE_OF_GROUPS;

/**
 * The derived-claims scope. Alone it asks "is this person's identity verified (to the request's
 * standard)?"; with `verified_claims.claims.derived` it asks for those derived claims. Either way
 * the relying party receives a verifier's attestation and no document data.
 */
export const DERIVED_KEY = "derived";
export const DERIVED_SCOPE = `${SCOPE_PREFIX}${DERIVED_KEY}`;

/** Claims a verifier attests besides a document's fields (see documentClaims in src/credentials). */
export const DERIVED_CLAIMS = ["age_over_16", "age_over_18", "age_over_21", "age_over_65", "nationality", "document_valid"] as const;
export type DerivedClaim = (typeof DERIVED_CLAIMS)[number];
export const isDerivedClaim = (s: string): s is DerivedClaim => (DERIVED_CLAIMS as readonly string[]).includes(s);

export const PASSPORT_SCOPES = [...DOCUMENT_TYPES.map((t) => `${SCOPE_PREFIX}${t}`), ...Object.keys(ONE_OF_GROUPS).map((g) => `${SCOPE_PREFIX}${g}`), DERIVED_SCOPE];

export const isPassportScope = (s: string) => PASSPORT_SCOPES.includes(s);

/** Plain words for the consent page and the admin form. */
export const PASSPORT_SCOPE_DESCRIPTIONS: Record<string, string> = {
  ...Object.fromEntries(DOCUMENT_TYPES.map((t) => [`${SCOPE_PREFIX}${t}`, `Read your ${DOCUMENT_LABELS[t].toLowerCase()}`])),
  [`${SCOPE_PREFIX}id_document`]: "Read one identity document of your choice (passport, driver licence, ID card or internal passport)",
  [`${SCOPE_PREFIX}address_document`]: "Read one proof of address of your choice (utility bill, bank statement, rental agreement or a registration)",
  [DERIVED_SCOPE]: "Learn that your identity is verified, and facts a verifier attested (such as being over 18), without reading any document",
};
