// Blobs in a local directory (DATA_DIR/blobs by default): written to a temporary file while
// hashing, fsynced, then renamed into place under <hash[0..2]>/<hash>, so a crash never leaves a
// half blob visible. Leftover temporary files are removed at start (not by the CLI, which may run
// beside a server whose uploads are in progress).
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { type BlobStore, BlobTooLargeError, isBlobHash, type StoredBlob } from "./blob-store.js";

export class LocalBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(
    private readonly dir: string,
    opts: { clearTemporary?: boolean } = {},
  ) {
    this.tmp = path.join(dir, ".tmp");
    fs.mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    if (opts.clearTemporary === false) return;
    for (const f of fs.readdirSync(this.tmp)) fs.rmSync(path.join(this.tmp, f), { force: true });
  }

  private pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw new Error("not a blob hash");
    return path.join(this.dir, hash.slice(0, 2), hash);
  }

  async put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredBlob> {
    const tmpFile = path.join(this.tmp, crypto.randomBytes(16).toString("hex"));
    const fh = await fsp.open(tmpFile, "wx", 0o600);
    const sha = crypto.createHash("sha256");
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > opts.maxBytes) throw new BlobTooLargeError(opts.maxBytes);
        sha.update(chunk);
        await fh.write(chunk);
      }
      await fh.sync();
      await fh.close();
      const hash = sha.digest("hex");
      const dest = this.pathOf(hash);
      await fsp.mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
      await fsp.rename(tmpFile, dest);
      await syncDir(path.dirname(dest));
      return { hash, size };
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fsp.rm(tmpFile, { force: true });
      throw err;
    }
  }

  async get(hash: string): Promise<Readable | null> {
    if (!isBlobHash(hash) || !(await this.exists(hash))) return null;
    return fs.createReadStream(this.pathOf(hash));
  }

  async delete(hash: string): Promise<void> {
    if (isBlobHash(hash)) await fsp.rm(this.pathOf(hash), { force: true });
  }

  async exists(hash: string): Promise<boolean> {
    if (!isBlobHash(hash)) return false;
    return fsp.access(this.pathOf(hash)).then(
      () => true,
      () => false,
    );
  }

  async *list(opts: { storedBefore?: number } = {}): AsyncIterable<string> {
    for (const sub of await fsp.readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const f of await fsp.readdir(path.join(this.dir, sub))) {
        if (!isBlobHash(f)) continue;
        if (opts.storedBefore !== undefined && (await fsp.stat(path.join(this.dir, sub, f))).mtimeMs >= opts.storedBefore) continue;
        yield f;
      }
    }
  }
}

/** Makes the rename itself durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
