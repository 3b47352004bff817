// The thirteen document types Telegram Passport knows, grouped, with the scans each accepts.
// Shared by the browser, the CLI/SDK and the server (which only needs the names and file limits).

export const IDENTITY_DOCUMENTS = ["passport", "driver_license", "identity_card", "internal_passport"] as const;
export const ADDRESS_DOCUMENTS = ["utility_bill", "bank_statement", "rental_agreement", "passport_registration", "temporary_registration"] as const;
export const DOCUMENT_TYPES = ["personal_details", ...IDENTITY_DOCUMENTS, "address", ...ADDRESS_DOCUMENTS, "phone_number", "email"] as const;

export type IdentityDocumentType = (typeof IDENTITY_DOCUMENTS)[number];
export type AddressDocumentType = (typeof ADDRESS_DOCUMENTS)[number];
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Where a scan sits in a document (the nine error kinds of Telegram Passport refer to these). */
export type ScanRole = "front_side" | "reverse_side" | "selfie" | "translation" | "file";

export const isDocumentType = (t: unknown): t is DocumentType => typeof t === "string" && (DOCUMENT_TYPES as readonly string[]).includes(t);
export const isIdentityDocument = (t: string): t is IdentityDocumentType => (IDENTITY_DOCUMENTS as readonly string[]).includes(t);
export const isAddressDocument = (t: string): t is AddressDocumentType => (ADDRESS_DOCUMENTS as readonly string[]).includes(t);

/** Documents with a reverse side (the others have a single page). */
export const HAS_REVERSE_SIDE: ReadonlySet<DocumentType> = new Set(["driver_license", "identity_card"]);

/** Scan roles a type accepts; types not listed hold no files. */
export function scanRoles(type: DocumentType): ScanRole[] {
  if (isIdentityDocument(type)) return HAS_REVERSE_SIDE.has(type) ? ["front_side", "reverse_side", "selfie", "translation"] : ["front_side", "selfie", "translation"];
  if (isAddressDocument(type)) return ["file", "translation"];
  return [];
}

/** Most files one item may reference (scans plus their thumbnails). */
export const MAX_FILES_PER_ITEM = 40;

export const DOCUMENT_LABELS: Record<DocumentType, string> = {
  personal_details: "Personal details",
  passport: "Passport",
  driver_license: "Driver licence",
  identity_card: "Identity card",
  internal_passport: "Internal passport",
  address: "Address",
  utility_bill: "Utility bill",
  bank_statement: "Bank statement",
  rental_agreement: "Rental agreement",
  passport_registration: "Passport registration",
  temporary_registration: "Temporary registration",
  phone_number: "Phone number",
  email: "Email",
};
