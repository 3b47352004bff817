// Picks the blob store the configuration names (BLOB_STORE). The database store needs the open
// database; the others stand alone, so the backup command can open them without a container. The
// AWS SDK is loaded only for BLOB_STORE=s3: it is large, and warns at load on Node 20.
import type { DataSource } from "typeorm";
import type { Config } from "../config.js";
import type { BlobStore } from "./blob-store.js";
import { DatabaseBlobStore } from "./database-blob-store.js";
import { LocalBlobStore } from "./local-blob-store.js";

/**
 * `clearTemporary: false` (the CLI beside a running server) leaves the local store's temporary
 * files alone: they may be the server's uploads in progress.
 */
export async function createBlobStore(cfg: Config["blobs"], ds: DataSource | null, opts: { clearTemporary?: boolean } = {}): Promise<BlobStore> {
  if (cfg.store === "s3") return new (await import("./s3-blob-store.js")).S3BlobStore(cfg.s3!);
  if (cfg.store === "database") {
    if (!ds) throw new Error("BLOB_STORE=database needs the database");
    return new DatabaseBlobStore(ds);
  }
  return new LocalBlobStore(cfg.dir, opts);
}
