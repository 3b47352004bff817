// Passport scopes: one per document type, plus "any one of" the identity documents or the proofs
// of address. Each releases the `passport` claim (the sealed payload) at the userinfo endpoint.
import { ADDRESS_DOCUMENTS, DOCUMENT_LABELS, DOCUMENT_TYPES, IDENTITY_DOCUMENTS, type DocumentType } from "../documents/types.js";

export const SCOPE_PREFIX = "passport:";
export const ONE_OF_GROUPS = {
  id_document: IDENTITY_DOCUMENTS as readonly DocumentType[],
  address_document: ADDRESS_DOCUMENTS as readonly DocumentType[],
} as const;
export type OneOfGroup = keyof typeof ONE_OF_GROUPS;

export const PASSPORT_SCOPES = [...DOCUMENT_TYPES.map((t) => `${SCOPE_PREFIX}${t}`), ...Object.keys(ONE_OF_GROUPS).map((g) => `${SCOPE_PREFIX}${g}`)];

export const isPassportScope = (s: string) => PASSPORT_SCOPES.includes(s);

/** Plain words for the consent page and the admin form. */
export const PASSPORT_SCOPE_DESCRIPTIONS: Record<string, string> = {
  ...Object.fromEntries(DOCUMENT_TYPES.map((t) => [`${SCOPE_PREFIX}${t}`, `Read your ${DOCUMENT_LABELS[t].toLowerCase()}`])),
  [`${SCOPE_PREFIX}id_document`]: "Read one identity document of your choice (passport, driver licence, ID card or internal passport)",
  [`${SCOPE_PREFIX}address_document`]: "Read one proof of address of your choice (utility bill, bank statement, rental agreement or a registration)",
};
