// Opening, sealing and saving documents. The version sealed into an item is the one it will have
// once saved (the edited version + 1), so a replayed older ciphertext cannot pass as current.
import { fileIdsOf, type DocumentType, type ScanRef } from "../../documents/index.js";
import { openItem, sealItem } from "../../crypto/index.js";
import { api } from "../_api.js";
import type { ItemEnvelope } from "./transport.js";

export type DocData = Record<string, unknown>;

/** Where an item stands: its id and the version the holder is editing (0 for a new item). */
export interface ItemBase {
  id: string;
  version: number;
}

export const openDocument = (key: CryptoKey, item: ItemEnvelope) => openItem<DocData>(key, item, item);

export async function saveDocument(key: CryptoKey, type: DocumentType, base: ItemBase, data: DocData, attestation?: string): Promise<ItemEnvelope> {
  const sealed = await sealItem(key, { id: base.id, type, version: base.version + 1 }, data);
  return api<ItemEnvelope>("PUT", `/api/vault/items/${type}`, { id: base.id, version: base.version, ...sealed, fileIds: fileIdsOf(data), attestation });
}

export const deleteDocument = (type: DocumentType, version: number) => api("DELETE", `/api/vault/items/${type}?version=${version}`);

/** The fields that hold scans, in the order a document shows them. */
export const SCAN_FIELDS = [
  { field: "front_side", label: "Front side" },
  { field: "reverse_side", label: "Reverse side" },
  { field: "selfie", label: "Selfie" },
  { field: "files", label: "File" },
  { field: "translation", label: "Translation" },
] as const;

export interface PlacedScan {
  field: string;
  label: string;
  ref: ScanRef;
}

/** Every scan of a document with where it sits ("Translation 2"). */
export function scansOf(data: DocData): PlacedScan[] {
  return SCAN_FIELDS.flatMap(({ field, label }) => {
    const v = data[field];
    if (Array.isArray(v)) return (v as ScanRef[]).map((ref, i) => ({ field, label: `${label} ${i + 1}`, ref }));
    return v ? [{ field, label, ref: v as ScanRef }] : [];
  });
}
