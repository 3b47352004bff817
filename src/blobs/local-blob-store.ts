// Blobs in a local directory (DATA_DIR/blobs by default): written to a temporary file while
// hashing, fsynced, then renamed into place under <hash[0..2]>/<hash>, so a crash never leaves a
// half blob visible. Leftover temporary files are removed at start (not by the CLI, which may run
// beside a server whose uploads are in progress) and by the purge.
//
// Several processes may share the folder (`--workers`, or one disk mounted by several servers), so
// a temporary file is named after its writer (host and pid), and only files whose writer is gone
// are removed: a worker that restarts after a crash must not cut off its siblings' uploads.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { type BlobStore, BlobTooLargeError, isBlobHash, type StoredBlob } from "./blob-store.js";

/** This host, in temporary file names (hashed: a host name may hold any character). */
const HOST = crypto.createHash("sha256").update(os.hostname()).digest("hex").slice(0, 12);
/** A temporary file of another host is taken for abandoned after this (no upload lasts near that long). */
const FOREIGN_TMP_MAX_AGE_MS = 3600_000;

export class LocalBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(
    private readonly dir: string,
    opts: { clearTemporary?: boolean } = {},
  ) {
    this.tmp = path.join(dir, ".tmp");
    fs.mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    if (opts.clearTemporary === false) return;
    for (const f of fs.readdirSync(this.tmp)) if (abandoned(this.tmp, f)) fs.rmSync(path.join(this.tmp, f), { force: true });
  }

  /** Removes temporary files whose writer died mid-upload (the purge calls this); returns how many. */
  async sweepIncomplete(): Promise<number> {
    let removed = 0;
    for (const f of await fsp.readdir(this.tmp)) {
      if (!abandoned(this.tmp, f)) continue;
      await fsp.rm(path.join(this.tmp, f), { force: true });
      removed += 1;
    }
    return removed;
  }

  private pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw new Error("not a blob hash");
    return path.join(this.dir, hash.slice(0, 2), hash);
  }

  async put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredBlob> {
    const tmpFile = path.join(this.tmp, `${HOST}.${process.pid}.${crypto.randomBytes(12).toString("hex")}`);
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

/** A temporary file whose writer is gone: a dead process of this host, or too old (another host, or an older naming). */
function abandoned(dir: string, name: string): boolean {
  const [host, pid] = name.split(".");
  if (host === HOST && pid && /^\d+$/.test(pid)) return Number(pid) !== process.pid && !alive(Number(pid));
  try {
    return Date.now() - fs.statSync(path.join(dir, name)).mtimeMs > FOREIGN_TMP_MAX_AGE_MS || !name.includes(".");
  } catch {
    return false; // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
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
