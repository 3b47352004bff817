// Crash safety: the server process is killed in the middle of a large upload. After a restart
// there is no partial blob and no item or file pointing to a missing blob: with the local store
// on both databases, and with the S3 store (s3rver in this process) once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sealFile } from "../../src/crypto/index.js";
import { dropProcessData, freePort, startProcess, type ServerProcess } from "../helpers/process.js";
import { databases, testEnv } from "../helpers/server.js";
import { closeSharedS3, sharedS3, type StoreKind } from "../helpers/blob-stores.js";
import { TEST_BUCKET } from "../helpers/s3.js";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { readVault, saveItem, signUpHolder, startSlowUpload, uploadFile, type VaultHolder } from "../helpers/vault.js";

after(closeSharedS3);

/** Every blob the store shows (local folder or bucket), each with its bytes. */
async function visibleBlobs(env: Record<string, string>): Promise<{ hash: string; data: Buffer }[]> {
  if (env.BLOB_STORE === "s3") {
    const s3 = await sharedS3();
    const keys = await s3.keys(`${env.S3_PREFIX}blobs/`);
    const out = [];
    for (const key of keys) {
      const res = await s3.client.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key }));
      out.push({ hash: key.slice(key.lastIndexOf("/") + 1), data: Buffer.from(await res.Body!.transformToByteArray()) });
    }
    return out;
  }
  const blobDir = path.join(env.DATA_DIR!, "blobs");
  return fs
    .readdirSync(blobDir)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => fs.readdirSync(path.join(blobDir, d)).map((b) => ({ hash: b, data: fs.readFileSync(path.join(blobDir, d, b)) })));
}

const variants: [string, StoreKind][] = [...databases().map((db) => [db, "local"] as [string, StoreKind]), ["sqlite", "s3"]];

for (const [db, store] of variants) {
  describe(`crash during upload (${db}, ${store} blobs)`, () => {
    let env: Record<string, string>;
    let port: number;
    let proc: ServerProcess;
    before(async () => {
      port = await freePort();
      env = testEnv(db as "sqlite" | "postgres", { LOG_LEVEL: "warn", ...(store === "s3" ? (await sharedS3()).env() : {}) });
      proc = await startProcess(env, port);
    });
    after(async () => {
      await proc.stop();
      await dropProcessData(env);
    });

    it("leaves no partial blob and no dangling reference", async () => {
      const h = await signUpHolder(proc.url);
      const small = await uploadFile(h, crypto.randomBytes(2000));
      assert.equal(small.status, 201);
      assert.equal((await saveItem(h, "utility_bill", { files: [small.id] }, { fileIds: [small.id] })).res.status, 200);

      const id = crypto.randomUUID();
      const big = await sealFile(h.vaultKey, id, new Uint8Array(crypto.randomBytes(9 * 1024 * 1024)));
      const received = store === "s3" ? (await sharedS3()).received() : 0;
      await startSlowUpload(h, proc.url, id, big.wrappedKey, big.bytes, 4 * 1024 * 1024);
      await new Promise((r) => setTimeout(r, 200));
      const tmpDir = path.join(env.DATA_DIR!, "blobs", ".tmp");
      if (store === "local") assert.ok(fs.readdirSync(tmpDir).length >= 1, "the upload was in progress");
      else assert.ok((await sharedS3()).received() - received > 1024 * 1024, "the upload was streaming into the bucket");
      await proc.stop("SIGKILL");

      proc = await startProcess(env, port);
      if (store === "local") assert.equal(fs.readdirSync(tmpDir).length, 0, "the half-written temporary file is gone");
      // An unfinished multipart upload is never an object: nothing under tmp/ or blobs/ shows it.
      else assert.deepEqual(await (await sharedS3()).keys(`${env.S3_PREFIX}tmp/`), [], "no temporary object");
      const blobs = await visibleBlobs(env);
      assert.ok(blobs.length >= 1, "the first scan's blob is there");
      assert.ok(!blobs.some((b) => b.hash === big.sha256), "no blob of the cut upload");
      for (const b of blobs) assert.equal(crypto.createHash("sha256").update(b.data).digest("hex"), b.hash, "every visible blob is whole");

      const signedIn = await h.agent.request("GET", "/api/vault");
      assert.equal(signedIn.status, 200);
      const v = await readVault(h);
      assert.equal(v.unattached.length, 0, "no file row for the cut upload");
      for (const item of v.items) {
        for (const f of item.files) {
          const res = await h.agent.request("GET", `/api/vault/files/${f.id}`);
          assert.equal(res.status, 200, `file ${f.id} of ${item.type} is readable`);
          assert.equal(crypto.createHash("sha256").update(res.bytes).digest("hex"), f.sha256);
        }
      }
      const retry = await uploadFile(h, crypto.randomBytes(3000), id);
      assert.equal(retry.status, 201, "the same file id can be uploaded again");
    });
  });
}
