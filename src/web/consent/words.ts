// Plain words for the consent page: what each field and scan is called, what each request entry
// asks for, and the request's problems as sentences a holder understands.
import { DOCUMENT_LABELS, type DocumentType } from "../../documents/index.js";
import type { RequestEntry } from "../../sharing/request.js";

/** Field names as the vault's edit forms label them. */
const FIELD_LABELS: Record<string, string> = {
  first_name: "First name",
  middle_name: "Middle name",
  last_name: "Last name",
  first_name_native: "First name (native script)",
  middle_name_native: "Middle name (native script)",
  last_name_native: "Last name (native script)",
  birth_date: "Date of birth",
  gender: "Gender",
  country_code: "Citizenship",
  residence_country_code: "Country of residence",
  document_no: "Document number",
  expiry_date: "Expiry date",
  street_line1: "Street, line 1",
  street_line2: "Street, line 2",
  city: "City",
  state: "State or region",
  post_code: "Post code",
  phone_number: "Phone number",
  email: "Email address",
};

/** The address type has a country too, and it is not a citizenship. */
export function fieldLabel(type: DocumentType, field: string): string {
  if (type === "address" && field === "country_code") return "Country";
  return FIELD_LABELS[field] ?? field.replace(/_/g, " ");
}

/** Scan fields, in the words of "… and the front side scan". */
export const SCAN_WORDS: Record<string, string> = {
  front_side: "the front side scan",
  reverse_side: "the reverse side scan",
  selfie: "the selfie with the document",
  translation: "the translation pages",
  files: "the document's files",
};

export const isScanField = (field: string) => field in SCAN_WORDS;

export const typeLabel = (type: string) => DOCUMENT_LABELS[type as DocumentType] ?? type.replace(/_/g, " ");

/** "your identity card" */
export const yourType = (type: string) => `your ${typeLabel(type).toLowerCase()}`;

/** The heading of an entry: the type, or "one … of your choice" for a one-of group. */
export function entryTitle(entry: RequestEntry): string {
  if (entry.key === "id_document") return "One identity document of your choice";
  if (entry.key === "address_document") return "One proof of address of your choice";
  return typeLabel(entry.key);
}

/** "A, B and C" */
export function listWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * missingRequired() names problems as "<entry key>: <what>"; the page shows them with the entry's
 * title and the document's label instead of the identifiers.
 */
export function problemInWords(problem: string, entries: RequestEntry[]): string {
  const colon = problem.indexOf(": ");
  const entry = entries.find((e) => e.key === problem.slice(0, colon));
  if (colon < 0 || !entry) return problem;
  const what = problem.slice(colon + 2);
  if (what === "nothing chosen") return `${entryTitle(entry)}: there is nothing in your vault to share yet. Add it first.`;
  const notVerified = /^(\w+) is not verified$/.exec(what);
  if (notVerified) return `${entryTitle(entry)}: ${yourType(notVerified[1]!)} is not verified, and this app accepts verified documents only.`;
  return `${entryTitle(entry)}: ${what.charAt(0).toUpperCase()}${what.slice(1)}.`;
}
