// The pure part of a restore: when a backup's document is the same as the vault's, and what
// "keep both" makes of two versions of one document type. The vault holds one document per type,
// so "keep both" combines them: the vault's values stay, the backup fills what the vault's copy
// lacks, and multi-page slots (files, translation) keep the pages of both.
import type { ScanRef } from "../../documents/index.js";
import type { DocData } from "./documents.js";

/** Slots that hold several scans. */
const MULTI = new Set(["files", "translation"]);

const isScan = (v: unknown): v is ScanRef => !!v && typeof v === "object" && "sha256" in v && "id" in v;
const hasValue = (v: unknown) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
const asScans = (v: unknown): ScanRef[] => (Array.isArray(v) ? v.filter(isScan) : isScan(v) ? [v] : []);

/**
 * What a document says, without what a re-upload changes (scan ids and the sealed bytes' hash),
 * and without attestations (verification is the server's record, not the document's content).
 */
export function fingerprint(data: DocData): string {
  const plain = (v: unknown): unknown => (isScan(v) ? { mime: v.mime, name: v.name ?? "", size: v.size } : Array.isArray(v) ? v.map(plain) : v);
  const keys = Object.keys(data).filter((k) => k !== "attestations" && hasValue(data[k])).sort();
  return JSON.stringify(keys.map((k) => [k, plain(data[k])]));
}

/** "Keep both": the vault's document, completed from the backup's. */
export function combine(mine: DocData, theirs: DocData): DocData {
  const out: DocData = { ...mine };
  for (const [field, value] of Object.entries(theirs)) {
    if (field === "attestations" || !hasValue(value)) continue;
    if (MULTI.has(field)) {
      const kept = asScans(mine[field]);
      const seen = new Set(kept.map((s) => fingerprint({ s })));
      out[field] = [...kept, ...asScans(value).filter((s) => !seen.has(fingerprint({ s })))];
    } else if (!hasValue(mine[field])) {
      out[field] = value;
    }
  }
  return out;
}
