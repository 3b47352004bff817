// Content-addressed storage for sealed scans. The address is the SHA-256 of the bytes as stored
// (ciphertext), so a blob can be checked by anyone who downloads it. Implementations must never
// expose a partly written blob.
import type { Readable } from "node:stream";
import { AppError } from "../errors.js";

export interface StoredBlob {
  hash: string;
  size: number;
}

export interface BlobStore {
  /** Streams `source` in; refuses (and keeps nothing) past `maxBytes`. */
  put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredBlob>;
  /** The blob as a stream, or null if absent. */
  get(hash: string): Promise<Readable | null>;
  delete(hash: string): Promise<void>;
  exists(hash: string): Promise<boolean>;
  /** Every stored hash (for collecting orphans). */
  list(): AsyncIterable<string>;
  /** Removes what uploads cut off by a dead process left behind, if the store can leave any; returns how many. */
  sweep?(): Promise<number>;
}

export class BlobTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super("too_large", `The file is too large: ${Math.floor(maxBytes / 1024)} KiB at most here.`, 413);
  }
}

export const isBlobHash = (h: string) => /^[0-9a-f]{64}$/.test(h);
