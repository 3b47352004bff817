// Blobs in an S3-compatible object store (BLOB_STORE=s3): AWS S3, MinIO, Ceph, R2, Garage...
// Every server process behind a load balancer sees the same files, and none is kept in memory.
//
// The address (SHA-256) is known only at the end of the stream, so a blob is first written under
// a temporary key, then copied (server-side) to <prefix>blobs/<hash[0..2]>/<hash> and the
// temporary object deleted: a reader never sees a partial blob under a blob's name. How the bytes
// travel, without holding a whole scan:
// - the upload declared its length (the browser always does): a multipart upload of one part,
//   streamed through with that length; a body shorter or longer than declared aborts it;
// - no length: a multipart upload in parts of PART_BYTES, one part in memory at a time (S3's
//   smallest part). A body that ends within the first part is sent as one PutObject.
// On any failure the temporary object or the multipart upload is removed. A process killed
// mid-upload leaves a temporary object or an unfinished multipart upload: sweepIncomplete() (run
// by the purge) removes those older than an hour; a bucket lifecycle rule that aborts incomplete
// multipart uploads is a good second line (docs/deploy.md).
import crypto from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { Config } from "../config.js";
import { type BlobStore, BlobTooLargeError, isBlobHash, type StoredBlob } from "./blob-store.js";

/** Size of a multipart part (S3's minimum for all parts but the last): the most held per upload. */
export const PART_BYTES = 5 * 1024 * 1024;
/** Temporary objects and multipart uploads older than this belong to a dead upload. */
const INCOMPLETE_AFTER_MS = 60 * 60_000;

export type S3Settings = NonNullable<Config["blobs"]["s3"]>;

/** The S3 client for these settings; also used by the tests and the backup command. */
export function s3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    endpoint: s.endpoint || undefined,
    forcePathStyle: s.forcePathStyle,
    // Empty: the SDK's default chain (AWS_* variables, shared config, instance or task role).
    credentials: s.accessKeyId ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
    // Newer SDKs add CRC checksums (aws-chunked trailers) that many S3-compatible servers refuse;
    // the content hash is checked by Passport itself and by the holder's browser.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // The SDK would print to the console when a streamed upload fails; the caller gets the error.
    logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

const notFound = (e: unknown) => e instanceof S3ServiceException && (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404);

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(settings: S3Settings, client: S3Client = s3Client(settings)) {
    this.client = client;
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
  }

  /** Fails the start with a clear message when the bucket is missing or the credentials are wrong. */
  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const status = (e as S3ServiceException).$metadata?.httpStatusCode;
      const why = status === 404 ? "it does not exist" : status === 403 ? "access denied (check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY)" : (e as Error).message;
      throw new Error(`BLOB_STORE=s3: bucket "${this.bucket}" cannot be used: ${why}`);
    }
  }

  keyOf(hash: string): string {
    return `${this.prefix}blobs/${hash.slice(0, 2)}/${hash}`;
  }

  /** Where uploads in progress live (also read by tests: nothing may stay there). */
  get tmpPrefix(): string {
    return `${this.prefix}tmp/`;
  }

  async put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number; length?: number }): Promise<StoredBlob> {
    if (opts.length !== undefined && opts.length > opts.maxBytes) throw new BlobTooLargeError(opts.maxBytes);
    const tmpKey = `${this.tmpPrefix}${crypto.randomBytes(16).toString("hex")}`;
    const sha = crypto.createHash("sha256");
    const counted = { size: 0 };
    const hashed = hashing(source, sha, counted, opts.maxBytes);
    if (opts.length) await this.putStreamed(tmpKey, hashed, opts.length);
    else await this.putInParts(tmpKey, hashed);
    const hash = sha.digest("hex");
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash), CopySource: encodeURI(`${this.bucket}/${tmpKey}`) }));
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey })).catch(() => undefined);
    }
    return { hash, size: counted.size };
  }

  /**
   * The declared length known: a multipart upload of one part, the body streamed straight through
   * with that length. One part rather than a PutObject because an unfinished multipart upload is
   * never an object, on every S3-compatible server, whereas some keep what an aborted PutObject sent.
   */
  private async putStreamed(key: string, body: AsyncIterable<Buffer>, length: number): Promise<void> {
    await this.multipart(key, async (upload) => {
      // Bytes, not objects: Readable.from would otherwise read 16 chunks ahead of the socket.
      const exact = Readable.from(exactLength(body, length), { objectMode: false, highWaterMark: 64 * 1024 });
      const abort = new AbortController();
      // A failing body (too large, cut off, wrong length) must end the request, not leave it waiting.
      exact.once("error", () => abort.abort());
      try {
        await upload(exact, length, abort.signal);
      } catch (err) {
        exact.destroy();
        throw exact.errored ?? err;
      }
    });
  }

  /** Length unknown: parts of PART_BYTES, one in memory at a time; a body within one part goes whole. */
  private async putInParts(key: string, body: AsyncIterable<Buffer>): Promise<void> {
    const parts = partsOf(body, PART_BYTES);
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    if (firstPart.length < PART_BYTES) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: firstPart, ContentLength: firstPart.length }));
      return;
    }
    await this.multipart(key, async (upload) => {
      for (let part: Buffer | undefined = firstPart; part; ) {
        await upload(part, part.length);
        const next = await parts.next();
        part = next.done ? undefined : next.value;
      }
    });
  }

  /** Runs a multipart upload to `key`: completed if `send` succeeds, aborted (nothing kept) if not. */
  private async multipart(key: string, send: (upload: (body: Readable | Buffer, length: number, signal?: AbortSignal) => Promise<void>) => Promise<void>): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    const done: { PartNumber: number; ETag: string }[] = [];
    try {
      await send(async (Body, ContentLength, abortSignal) => {
        const PartNumber = done.length + 1;
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body, ContentLength }), { abortSignal });
        done.push({ PartNumber, ETag: ETag! });
      });
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async get(hash: string): Promise<Readable | null> {
    if (!isBlobHash(hash)) return null;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash) }));
      return res.Body as Readable;
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async delete(hash: string): Promise<void> {
    if (isBlobHash(hash)) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash) }));
  }

  async exists(hash: string): Promise<boolean> {
    if (!isBlobHash(hash)) return false;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash) }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  }

  async *list(opts: { storedBefore?: number } = {}): AsyncIterable<string> {
    for await (const o of this.objects(`${this.prefix}blobs/`)) {
      const name = o.key.slice(o.key.lastIndexOf("/") + 1);
      if (isBlobHash(name) && (opts.storedBefore === undefined || o.modified < opts.storedBefore)) yield name;
    }
  }

  /** Removes what dead uploads left: temporary objects and unfinished multipart uploads older than an hour. */
  async sweepIncomplete(now = Date.now()): Promise<number> {
    const before = now - INCOMPLETE_AFTER_MS;
    let n = 0;
    for await (const o of this.objects(this.tmpPrefix)) {
      if (o.modified >= before) continue;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.key }));
      n += 1;
    }
    try {
      const res = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.tmpPrefix }));
      for (const u of res.Uploads ?? []) {
        if ((u.Initiated?.getTime() ?? now) >= before) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }));
        n += 1;
      }
    } catch (e) {
      // Some S3-compatible servers cannot list multipart uploads; a lifecycle rule covers them.
      if (!(e instanceof S3ServiceException && (e.name === "NotImplemented" || e.$metadata?.httpStatusCode === 501))) throw e;
    }
    return n;
  }

  private async *objects(prefix: string): AsyncIterable<{ key: string; modified: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, modified: o.LastModified?.getTime() ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** Passes the chunks on while hashing and counting them; throws past `maxBytes`. */
async function* hashing(source: AsyncIterable<Uint8Array>, sha: crypto.Hash, counted: { size: number }, maxBytes: number): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    counted.size += chunk.length;
    if (counted.size > maxBytes) throw new BlobTooLargeError(maxBytes);
    sha.update(chunk);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  }
}

/** Fails unless the body is exactly `length` bytes, so a cut-off upload never completes. */
async function* exactLength(body: AsyncIterable<Buffer>, length: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > length) throw new Error(`the upload is longer than its declared ${length} bytes`);
    yield chunk;
  }
  if (n !== length) throw new Error(`the upload ended after ${n} of its declared ${length} bytes`);
}

/** Regroups a stream into parts of exactly `size` bytes (the last may be shorter). */
async function* partsOf(body: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const chunk of body) {
    let rest = chunk;
    while (heldBytes + rest.length >= size) {
      const take = size - heldBytes;
      held.push(rest.subarray(0, take));
      yield Buffer.concat(held, size);
      rest = rest.subarray(take);
      held = [];
      heldBytes = 0;
    }
    if (rest.length) {
      held.push(rest);
      heldBytes += rest.length;
    }
  }
  if (heldBytes) yield Buffer.concat(held, heldBytes);
}
