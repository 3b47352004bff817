// What the overview shows of a decrypted document: a few labelled values per type.
import { isAddressDocument, isIdentityDocument, type DocumentType } from "../../documents/index.js";
import type { DocData } from "./documents.js";
import { countryName, formatDate } from "../_locale.js";

const str = (v: unknown) => (typeof v === "string" ? v : "");
const join = (...parts: unknown[]) => parts.map(str).filter(Boolean).join(" ");
const country = (v: unknown) => (str(v) ? countryName(str(v)) : "");
const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** [label, value] pairs; empty values are left out. */
export function summarize(type: DocumentType, d: DocData): [string, string][] {
  const rows: [string, string][] = [];
  const add = (label: string, value: string) => value && rows.push([label, value]);
  if (type === "personal_details") {
    add("Name", join(d.first_name, d.middle_name, d.last_name));
    add("Native name", join(d.first_name_native, d.middle_name_native, d.last_name_native));
    add("Born", formatDate(str(d.birth_date)));
    add("Gender", str(d.gender));
    add("Citizenship", country(d.country_code));
    add("Residence", country(d.residence_country_code));
  } else if (isIdentityDocument(type)) {
    add("Number", str(d.document_no));
    add("Expires", formatDate(str(d.expiry_date)));
  } else if (type === "address") {
    add("Street", join(d.street_line1, d.street_line2));
    add("City", join(d.post_code, d.city));
    add("State", str(d.state));
    add("Country", country(d.country_code));
  } else if (isAddressDocument(type)) {
    add("Files", String(count(d.files)));
  } else if (type === "phone_number") {
    add("Number", str(d.phone_number));
  } else if (type === "email") {
    add("Address", str(d.email));
  }
  if (count(d.translation)) add("Translation pages", String(count(d.translation)));
  return rows;
}
