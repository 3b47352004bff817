// A holder's documents for the sharing tests: one valid sample per type, with a distinct random
// scan in every scan slot the type has, stored through the vault API the way the browser stores
// them. Each stored item remembers its plaintext (fields and scan bytes) so tests can compare what
// a relying party decrypts with what the holder saved.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { DOCUMENT_TYPES, HAS_REVERSE_SIDE, isAddressDocument, isIdentityDocument, type DocumentType } from "../../src/documents/types.js";
import { saveItem, uploadFile, type VaultHolder } from "../helpers/vault.js";

export interface StoredScan {
  id: string;
  /** The role the payload gives it (files[] entries are "file"). */
  role: "front_side" | "reverse_side" | "selfie" | "translation" | "file";
  bytes: Uint8Array;
  sha256: string;
}

export interface StoredDocument {
  type: DocumentType;
  id: string;
  version: number;
  data: Record<string, unknown>;
  scans: StoredScan[];
}

const SCAN_SLOTS = new Set(["front_side", "reverse_side", "selfie", "translation", "files"]);
const NATIVE = new Set(["first_name_native", "middle_name_native", "last_name_native"]);

/** Plain fields of a valid document of each type (already in normalised form). */
export function sampleFields(type: DocumentType): Record<string, unknown> {
  if (type === "personal_details") {
    return {
      first_name: "Anna",
      middle_name: "Maria",
      last_name: "Schmidt",
      first_name_native: "Анна",
      last_name_native: "Шмидт",
      birth_date: "1990-04-12",
      gender: "female",
      country_code: "DE",
      residence_country_code: "FR",
    };
  }
  if (isIdentityDocument(type)) return { document_no: `${type.slice(0, 2).toUpperCase()}${crypto.randomInt(1e6, 1e7)}`, expiry_date: "2031-05-01" };
  if (type === "address") return { street_line1: "Hauptstrasse 1", street_line2: "Hinterhaus", city: "Berlin", state: "Berlin", country_code: "DE", post_code: "10115" };
  if (type === "phone_number") return { phone_number: "+4915112345678" };
  if (type === "email") return { email: "anna@example.org" };
  return {};
}

/** The scan slots a type fills in these tests: every one it accepts. */
function slotsOf(type: DocumentType): { field: string; role: StoredScan["role"]; many: boolean }[] {
  if (isIdentityDocument(type)) {
    return [
      { field: "front_side", role: "front_side", many: false },
      ...(HAS_REVERSE_SIDE.has(type) ? [{ field: "reverse_side", role: "reverse_side" as const, many: false }] : []),
      { field: "selfie", role: "selfie", many: false },
      { field: "translation", role: "translation", many: true },
    ];
  }
  if (isAddressDocument(type)) {
    return [
      { field: "files", role: "file", many: true },
      { field: "translation", role: "translation", many: true },
    ];
  }
  return [];
}

/** Uploads one sealed scan and returns it with the reference an item stores. */
export async function uploadScan(h: VaultHolder, role: StoredScan["role"], bytes: Uint8Array = crypto.randomBytes(1500 + crypto.randomInt(500))) {
  const up = await uploadFile(h, bytes);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const scan: StoredScan = { id: up.id, role, bytes, sha256: up.sealed.sha256 };
  return { scan, ref: { id: up.id, mime: "image/jpeg", size: bytes.length, sha256: up.sealed.sha256 } };
}

/** Stores a document of `type` (sample fields unless given) with a fresh scan in each slot. */
export async function storeDocument(h: VaultHolder, type: DocumentType, fields: Record<string, unknown> = sampleFields(type)): Promise<StoredDocument> {
  const data: Record<string, unknown> = { ...fields };
  const scans: StoredScan[] = [];
  for (const slot of slotsOf(type)) {
    const { scan, ref } = await uploadScan(h, slot.role);
    scans.push(scan);
    data[slot.field] = slot.many ? [ref] : ref;
  }
  const saved = await saveItem(h, type, data, { fileIds: scans.map((s) => s.id) });
  assert.equal(saved.res.status, 200, saved.res.text);
  return { type, id: saved.id, version: saved.res.json().version, data, scans };
}

/** Saves a new version of a stored document with `changes` applied; its scans stay. */
export async function updateDocument(h: VaultHolder, doc: StoredDocument, changes: Record<string, unknown>): Promise<StoredDocument> {
  const data = { ...doc.data, ...changes };
  const saved = await saveItem(h, doc.type, data, { id: doc.id, version: doc.version, fileIds: doc.scans.map((s) => s.id) });
  assert.equal(saved.res.status, 200, saved.res.text);
  return { ...doc, version: saved.res.json().version, data };
}

/** Stores one document of every type; returns them by type. */
export async function storeAllDocuments(h: VaultHolder): Promise<Map<DocumentType, StoredDocument>> {
  const docs = new Map<DocumentType, StoredDocument>();
  for (const type of DOCUMENT_TYPES) docs.set(type, await storeDocument(h, type));
  return docs;
}

/** The plain fields a relying party gets by default: no selfie, translation or native names, scans as files. */
export function defaultFields(doc: StoredDocument): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc.data).filter(([k]) => !SCAN_SLOTS.has(k) && !NATIVE.has(k)));
}

/** The scans shared by default (selfie and translation only when asked for). */
export function defaultScans(doc: StoredDocument): StoredScan[] {
  return doc.scans.filter((s) => s.role !== "selfie" && s.role !== "translation");
}
