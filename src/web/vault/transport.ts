// The vault API as the pages use it: the overview, sealed uploads and downloads. JSON calls go
// through src/web/_api.ts; file bodies are raw sealed bytes.
import type { DocumentType } from "../../documents/index.js";
import type { SealedFile } from "../../crypto/index.js";
import { api, ApiError } from "../_api.js";

export interface FileEnvelope {
  id: string;
  size: number;
  sha256: string;
  wrappedKey: string;
}

export interface ReportedError {
  source: string;
  field?: string;
  kind: string;
  message: string;
  reportedAt: number;
}

export interface ItemEnvelope {
  id: string;
  type: DocumentType;
  version: number;
  ciphertext: string;
  wrappedKey: string;
  size: number;
  verification: string;
  errors: ReportedError[];
  createdAt: number;
  updatedAt: number;
  files: FileEnvelope[];
}

export interface VaultOverview {
  items: ItemEnvelope[];
  unattached: FileEnvelope[];
  usage: number;
  quota: number;
  maxFileBytes: number;
}

export const loadOverview = () => api<VaultOverview>("GET", "/api/vault");

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

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
