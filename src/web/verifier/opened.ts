// A submission opened with the verifier's encryption key: per item its type, version, fields and
// the scans with their own keys, and the holder's public signing key (the holder's browser seals
// them, src/web/vault/submission.ts; scans travel as in a relying party's payload,
// src/sharing/payload.ts). Scans are downloaded as ciphertext, checked against
// their SHA-256 and opened here.
import type { JWK } from "jose";
import { openJson, SUBMISSION_TYP } from "../../credentials/index.js";
import { b64uDecode, openFileWithKey, sha256Hex } from "../../crypto/index.js";
import type { SharedFile } from "../../sharing/payload.js";
import { FormProblem } from "../_form.js";
import { fetchSubmissionFile, type SubmissionDetail } from "./api.js";

/** Fields that hold scan references in a document; never claims of a credential. */
export const SCAN_FIELDS = new Set(["front_side", "reverse_side", "selfie", "files", "translation"]);

export interface OpenedItem {
  itemId: string;
  type: string;
  version: number;
  fields: Record<string, unknown>;
  files: SharedFile[];
}

interface SealedItem {
  itemId?: string;
  id?: string;
  type: string;
  version: number;
  fields: Record<string, unknown>;
  files?: SharedFile[];
}

export interface OpenedSubmission {
  items: OpenedItem[];
  /**
   * The key credentials are bound to (`cnf`): the one the holder sealed in, which the server
   * cannot swap; the one the server lists only for a submission that lacks it.
   */
  holderSigningJwk: JWK | null;
}

/** The sealed submission's items, matched with the items the server lists (id, type, version). */
export async function openSubmission(encryptionKey: CryptoKey, s: SubmissionDetail): Promise<OpenedSubmission> {
  const payload = await openJson<{ items?: SealedItem[]; holder?: { signingJwk?: JWK } }>(encryptionKey, s.sealed, SUBMISSION_TYP);
  const sealed: SealedItem[] = payload.items ?? [];
  const items = s.items.map((listed) => {
    const found = sealed.find((i) => (i.itemId ?? i.id) === listed.itemId) ?? sealed.find((i) => i.type === listed.type);
    if (!found) throw new FormProblem(`The sealed submission lacks its ${listed.type.replace(/_/g, " ")}: ask the holder to submit again.`);
    // What the server lists must be what the holder sealed: a swapped envelope would show one
    // document and attest another.
    if (found.type !== listed.type || found.version !== listed.version) throw new FormProblem(`The sealed ${listed.type.replace(/_/g, " ")} is not the version the server lists: do not decide on it.`);
    const fields = Object.fromEntries(Object.entries(found.fields ?? {}).filter(([k]) => !SCAN_FIELDS.has(k)));
    return { itemId: listed.itemId, type: found.type, version: found.version, fields, files: found.files ?? [] };
  });
  return { items, holderSigningJwk: payload.holder?.signingJwk ?? s.holderSigningJwk ?? null };
}

/** A scan of the submission, opened with its own key; refuses bytes that are not what was sealed. */
export async function openScan(slug: string, submissionId: string, file: SharedFile): Promise<Uint8Array<ArrayBuffer>> {
  const sealed = await fetchSubmissionFile(slug, submissionId, file.id);
  if ((await sha256Hex(sealed)) !== file.sha256) throw new FormProblem("The downloaded scan does not match its SHA-256.");
  const key = await crypto.subtle.importKey("raw", b64uDecode(file.key), "AES-GCM", false, ["decrypt"]);
  return openFileWithKey(key, file.id, sealed);
}
