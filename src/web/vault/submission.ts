// Sending items to a verifier: this browser opens each item and the keys of its scans, seals
//
//   {items: [{id, type, version, fields, files: [{id, role, key, sha256, size, mime}]}],
//    holder: {signingJwk}}
//
// to the verifier's encryption key (compact JWE, typ passport-submission+jwe) and posts only
// that, with the ids of the scans the verifier may fetch (as ciphertext) and the item versions
// it will attest. The server stores the JWE and cannot open it.
import type { JWK } from "jose";
import { publicJwk } from "../../credentials/keys.js";
import { sealJson, SUBMISSION_TYP } from "../../credentials/seal.js";
import { shareDocument, type SharedFile } from "../../sharing/payload.js";
import { api } from "../_api.js";
import { openDocument } from "./documents.js";
import type { ItemEnvelope } from "./transport.js";
import type { VerifierInfo } from "./verification.js";

export interface SubmittedItem {
  id: string;
  type: string;
  version: number;
  fields: Record<string, unknown>;
  files: SharedFile[];
}

export interface SubmissionPayload {
  items: SubmittedItem[];
  holder: { signingJwk: JWK };
}

/** Every field and every scan of the item (an email's own attestations are not the verifier's business). */
export async function openForVerifier(vaultKey: CryptoKey, item: ItemEnvelope): Promise<SubmittedItem> {
  const data = await openDocument(vaultKey, item);
  const names = Object.keys(data).filter((k) => k !== "attestations");
  const { doc } = await shareDocument(vaultKey, item, names);
  return { id: item.id, type: item.type, version: item.version, fields: doc.fields, files: doc.files };
}

export async function sealSubmission(vaultKey: CryptoKey, verifier: VerifierInfo, items: ItemEnvelope[], signingJwk: JWK): Promise<{ sealed: string; fileIds: string[] }> {
  if (!verifier.encryption_jwk) throw new Error(`${verifier.name} has no encryption key yet`);
  const opened = await Promise.all(items.map((i) => openForVerifier(vaultKey, i)));
  // Only the public half, whatever the caller passed: the private key never leaves the vault.
  const payload: SubmissionPayload = { items: opened, holder: { signingJwk: publicJwk(signingJwk) } };
  const sealed = await sealJson(verifier.encryption_jwk, payload, SUBMISSION_TYP);
  return { sealed, fileIds: opened.flatMap((i) => i.files.map((f) => f.id)) };
}

export async function submitToVerifier(vaultKey: CryptoKey, verifier: VerifierInfo, items: ItemEnvelope[], signingJwk: JWK): Promise<unknown> {
  const { sealed, fileIds } = await sealSubmission(vaultKey, verifier, items, signingJwk);
  return api("POST", "/api/vault/submissions", {
    verifier: verifier.slug,
    items: items.map((i) => ({ itemId: i.id, version: i.version })),
    sealed,
    fileIds,
  });
}
