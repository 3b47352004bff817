// Runs a test against each blob store a deployment may pick: the local folder (the default) and an
// S3-compatible bucket (s3rver, started here on first use and shared by the whole test file, which
// calls `after(closeSharedS3)` at its top level).
import fs from "node:fs";
import path from "node:path";
import type { TestServer } from "./server.js";
import { startS3, type TestS3 } from "./s3.js";

export type StoreKind = "local" | "s3";

export const blobStoreKinds = (): StoreKind[] => ["local", "s3"];

let s3: Promise<TestS3> | null = null;

/** The test file's S3 server, started on first use. */
export function sharedS3(): Promise<TestS3> {
  s3 ??= startS3();
  return s3;
}

export async function closeSharedS3(): Promise<void> {
  if (s3) await (await s3).close();
  s3 = null;
}

/** Environment for a test server on this store (a fresh key prefix for S3). */
export async function blobStoreEnv(kind: StoreKind): Promise<Record<string, string>> {
  return kind === "s3" ? (await sharedS3()).env() : {};
}

/** Every blob the server's store holds. */
export async function storedBlobs(s: TestServer): Promise<string[]> {
  const out: string[] = [];
  for await (const h of s.app.container.blobs.list()) out.push(h);
  return out;
}

/** What uploads in progress (or broken ones) hold: temporary files, or temporary objects. */
export async function blobLeftovers(s: TestServer): Promise<string[]> {
  const b = s.cfg.blobs;
  if (b.store === "s3") return (await sharedS3()).keys(`${b.s3!.prefix}tmp/`);
  const tmp = path.join(b.dir, ".tmp");
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
}
