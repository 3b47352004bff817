// Picks the blob store the configuration names (BLOB_STORE). The database store needs the open
// database; the others stand alone, so the backup command can open them without a container.
import type { DataSource } from "typeorm";
import type { Config } from "../config.js";
import type { BlobStore } from "./blob-store.js";
import { DatabaseBlobStore } from "./database-blob-store.js";
import { LocalBlobStore } from "./local-blob-store.js";
import { S3BlobStore } from "./s3-blob-store.js";

/**
 * `clearTemporary: false` (the CLI beside a running server) leaves the local store's temporary
 * files alone: they may be the server's uploads in progress.
 */
export function createBlobStore(cfg: Config["blobs"], ds: DataSource | null, opts: { clearTemporary?: boolean } = {}): BlobStore {
  if (cfg.store === "s3") return new S3BlobStore(cfg.s3!);
  if (cfg.store === "database") {
    if (!ds) throw new Error("BLOB_STORE=database needs the database");
    return new DatabaseBlobStore(ds);
  }
  return new LocalBlobStore(cfg.dir, opts);
}
