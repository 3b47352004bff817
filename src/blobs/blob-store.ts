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
  /**
   * Streams `source` in; refuses (and keeps nothing) past `maxBytes`. `length`, when the client
   * declared one, lets a store stream the body straight through (S3 needs it up front).
   */
  put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number; length?: number }): Promise<StoredBlob>;
  /** The blob as a stream, or null if absent. */
  get(hash: string): Promise<Readable | null>;
  delete(hash: string): Promise<void>;
  exists(hash: string): Promise<boolean>;
  /**
   * Every stored hash (for collecting orphans); with `storedBefore` (epoch ms) only blobs stored
   * before then, where the store can tell (the database store lists all).
   */
  list(opts?: { storedBefore?: number }): AsyncIterable<string>;
  /** Checks at start that the store can be used (S3: the bucket exists and the credentials work). */
  init?(): Promise<void>;
  /** Removes what uploads killed midway left behind, where the store cannot do it at start. */
  sweepIncomplete?(): Promise<number>;
}

export class BlobTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super("too_large", `The file is too large: ${Math.floor(maxBytes / 1024)} KiB at most here.`, 413);
  }
}

export const isBlobHash = (h: string) => /^[0-9a-f]{64}$/.test(h);
