// Scans: checked (type from the bytes, size), sealed each with its own key and uploaded, with a
// small sealed JPEG thumbnail for images the browser can decode. Thumbnails and downloads are
// fetched as ciphertext and opened here.
import type { ScanRef } from "../../documents/index.js";
import { openFile, sealFile } from "../../crypto/index.js";
import { FormProblem } from "../_form.js";
import { dataUrl, formatBytes, saveBlob } from "./dom.js";
import { MIME_EXTENSIONS, SNIFF_BYTES, sniffMime, type ScanMime } from "./mime.js";
import { deleteUpload, fetchSealed, uploadSealed, type FileEnvelope } from "./transport.js";

const THUMBNAIL_PX = 320;

export interface NewScan {
  ref: ScanRef;
  /** A data: URL of the thumbnail, when there is one. */
  preview?: string;
}

/** Refuses what the vault does not take, naming the file; returns the detected type. */
export async function checkScan(file: File, maxFileBytes: number): Promise<ScanMime> {
  if (file.size === 0) throw new FormProblem(`“${file.name}” is empty.`);
  if (file.size > maxFileBytes) throw new FormProblem(`“${file.name}” is too large (${formatBytes(file.size)}): ${formatBytes(maxFileBytes)} per file at most.`);
  const mime = sniffMime(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (!mime) throw new FormProblem(`“${file.name}” is not a JPEG, PNG, PDF or HEIC file.`);
  return mime;
}

/** A JPEG of at most 320 px, or null where the browser cannot draw the file (PDF, most HEIC). */
async function makeThumbnail(bytes: Uint8Array<ArrayBuffer>, mime: ScanMime): Promise<Uint8Array<ArrayBuffer> | null> {
  if (mime === "application/pdf") return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
  } catch {
    return null;
  }
  const scale = Math.min(1, THUMBNAIL_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  // JPEG has no transparency: a transparent PNG would turn black without a white ground.
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

async function sealAndUpload(key: CryptoKey, bytes: Uint8Array<ArrayBuffer>): Promise<{ id: string; sha256: string }> {
  const id = crypto.randomUUID();
  const sealed = await sealFile(key, id, bytes);
  await uploadSealed(id, sealed);
  return { id, sha256: sealed.sha256 };
}

export async function addScan(key: CryptoKey, file: File, maxFileBytes: number): Promise<NewScan> {
  const mime = await checkScan(file, maxFileBytes);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const thumb = await makeThumbnail(bytes, mime);
  const main = await sealAndUpload(key, bytes);
  let thumbnailId: string | undefined;
  if (thumb) {
    try {
      thumbnailId = (await sealAndUpload(key, thumb)).id;
    } catch (err) {
      await deleteUpload(main.id).catch(() => undefined);
      throw err;
    }
  }
  const ref: ScanRef = { id: main.id, mime, name: file.name.slice(0, 255), size: bytes.length, sha256: main.sha256, ...(thumbnailId ? { thumbnailId } : {}) };
  return { ref, preview: thumb ? await dataUrl(thumb, "image/jpeg") : undefined };
}

/** Removes a scan uploaded in this session but not saved with any document. */
export async function discardScan(ref: ScanRef): Promise<void> {
  const ids = [ref.id, ...(ref.thumbnailId ? [ref.thumbnailId] : [])];
  // Best effort: the server collects unattached uploads later anyway.
  await Promise.all(ids.map((id) => deleteUpload(id).catch(() => undefined)));
}

async function openScanFile(key: CryptoKey, files: FileEnvelope[], id: string): Promise<Uint8Array<ArrayBuffer>> {
  const env = files.find((f) => f.id === id);
  if (!env) throw new FormProblem("This file is missing from your vault.");
  return openFile(key, id, env.wrappedKey, await fetchSealed(id));
}

/** The decrypted thumbnail as a data: URL, or null for scans without one. */
export async function loadThumbnail(key: CryptoKey, files: FileEnvelope[], ref: ScanRef): Promise<string | null> {
  if (!ref.thumbnailId) return null;
  return dataUrl(await openScanFile(key, files, ref.thumbnailId), "image/jpeg");
}

export async function openScan(key: CryptoKey, files: FileEnvelope[], ref: ScanRef): Promise<Uint8Array<ArrayBuffer>> {
  return openScanFile(key, files, ref.id);
}

export function scanFileName(ref: ScanRef, fallback: string): string {
  return ref.name || `${fallback}.${MIME_EXTENSIONS[ref.mime]}`;
}

export async function downloadScan(key: CryptoKey, files: FileEnvelope[], ref: ScanRef, fallbackName: string): Promise<void> {
  const bytes = await openScan(key, files, ref);
  saveBlob(new Blob([bytes], { type: ref.mime }), scanFileName(ref, fallbackName));
}
