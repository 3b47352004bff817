// Tells a scan's type from its first bytes (magic numbers). The file name and the type the
// browser guesses from it are not trusted: a renamed text file must not pass as a PNG.
import type { ScanRef } from "../../documents/index.js";

export type ScanMime = ScanRef["mime"];

/** Bytes needed to recognise every accepted type. */
export const SNIFF_BYTES = 16;

/** ISO BMFF brands of HEIF/HEIC images (ISO/IEC 23008-12), as found at bytes 8–11. */
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1"]);

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export function sniffMime(head: Uint8Array): ScanMime | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // "%PDF-"
  if (head.length >= 12 && ascii(head, 4, 8) === "ftyp" && HEIC_BRANDS.has(ascii(head, 8, 12))) return "image/heic";
  return null;
}

export const MIME_LABELS: Record<ScanMime, string> = {
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "application/pdf": "PDF",
  "image/heic": "HEIC",
};

export const MIME_EXTENSIONS: Record<ScanMime, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "application/pdf": "pdf",
  "image/heic": "heic",
};
