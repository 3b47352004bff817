// Blobs kept in the database itself (BLOB_STORE=database): every server process behind a load
// balancer sees the same files with nothing else to run. A blob is buffered (it is at most the
// per-file limit, 10 MiB by default) and written in one statement, so it is never half there.
import crypto from "node:crypto";
import { Readable } from "node:stream";
import type { DataSource, Repository } from "typeorm";
import type { BlobRow } from "../db/entities.js";
import { type BlobStore, BlobTooLargeError, isBlobHash, type StoredBlob } from "./blob-store.js";

export class DatabaseBlobStore implements BlobStore {
  private readonly repo: Repository<BlobRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository<BlobRow>("Blob");
  }

  async put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredBlob> {
    const chunks: Buffer[] = [];
    const sha = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of source) {
      size += chunk.length;
      if (size > opts.maxBytes) throw new BlobTooLargeError(opts.maxBytes);
      sha.update(chunk);
      chunks.push(Buffer.from(chunk));
    }
    const hash = sha.digest("hex");
    await this.repo.createQueryBuilder().insert().values({ hash, data: Buffer.concat(chunks, size), size }).orIgnore().execute();
    return { hash, size };
  }

  async get(hash: string): Promise<Readable | null> {
    if (!isBlobHash(hash)) return null;
    const row = await this.repo.findOne({ where: { hash } });
    return row ? Readable.from([Buffer.from(row.data)]) : null;
  }

  async delete(hash: string): Promise<void> {
    if (isBlobHash(hash)) await this.repo.delete({ hash });
  }

  async exists(hash: string): Promise<boolean> {
    return isBlobHash(hash) && (await this.repo.exists({ where: { hash } }));
  }

  async *list(): AsyncIterable<string> {
    const rows = await this.repo.find({ select: { hash: true } });
    for (const r of rows) yield r.hash;
  }
}
