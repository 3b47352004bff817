// The vault API as the pages use it: the overview, sealed uploads and downloads. JSON calls go
// through src/web/_api.ts; file bodies are raw sealed bytes.
import type { DocumentType } from "../../documents/index.js";
import type { SealedFile } from "../../crypto/index.js";
import { api, ApiError, csrfToken } from "../_api.js";

// The shapes are the server's own (type-only imports: nothing of the server is bundled).
export type { FileView as FileEnvelope, ItemError as ReportedError, ItemView as ItemEnvelope } from "../../services/vault.js";
import type { FileView, VaultService } from "../../services/vault.js";
type FileEnvelope = FileView;
export type VaultOverview = Awaited<ReturnType<VaultService["overview"]>>;

export const loadOverview = () => api<VaultOverview>("GET", "/api/vault");

async function problem(res: Response): Promise<ApiError> {
  const data = await res.json().catch(() => ({}));
  return new ApiError(data.detail ?? `request failed (${res.status})`, res.status, data.fields ?? {});
}

export async function uploadSealed(id: string, sealed: SealedFile): Promise<FileEnvelope> {
  const res = await fetch(`/api/vault/files?id=${encodeURIComponent(id)}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/octet-stream", accept: "application/json", "x-csrf-token": csrfToken(), "x-wrapped-key": sealed.wrappedKey },
    body: sealed.bytes,
  });
  if (!res.ok) throw await problem(res);
  return res.json();
}

export async function fetchSealed(id: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(`/api/vault/files/${encodeURIComponent(id)}`, { credentials: "same-origin" });
  if (!res.ok) throw await problem(res);
  return new Uint8Array(await res.arrayBuffer());
}

/** Drops an upload no document refers to (a scan removed before saving). */
export const deleteUpload = (id: string) => api("DELETE", `/api/vault/files/${encodeURIComponent(id)}`);
