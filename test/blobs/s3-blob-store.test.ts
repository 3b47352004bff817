// The S3 blob store against a real S3-protocol server (s3rver, in this process): content
// addressing, both ways of sending (streamed with a declared length, multipart without), nothing
// left behind by a refused, broken or cut-off upload, and no whole scan held in memory.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { BlobTooLargeError, type BlobStore } from "../../src/blobs/blob-store.js";
import { createBlobStore } from "../../src/blobs/create-blob-store.js";
import { PART_BYTES, S3BlobStore } from "../../src/blobs/s3-blob-store.js";
import { loadConfig } from "../../src/config.js";
import { startS3, TEST_BUCKET, type TestS3 } from "../helpers/s3.js";

const MiB = 1024 * 1024;

/** `total` random-looking bytes in chunks of `chunk`, made as they are pulled; optionally fails at `failAt`. */
const BLOCK = crypto.randomBytes(256 * 1024);

async function* generated(total: number, chunk = 256 * 1024, opts: { failAt?: number; onPull?: (pulled: number) => void } = {}): AsyncGenerator<Uint8Array> {
  const block = BLOCK;
  for (let sent = 0; sent < total; sent += chunk) {
    if (opts.failAt !== undefined && sent >= opts.failAt) throw new Error("the client went away");
    opts.onPull?.(sent);
    const n = Math.min(chunk, total - sent);
    // A fresh buffer each time (a store may keep references), varied so parts differ.
    const out = Buffer.from(block.subarray(0, n));
    out.writeUInt32BE(sent >>> 0, 0);
    yield out;
  }
}

async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<{ hash: string; size: number }> {
  const h = crypto.createHash("sha256");
  let size = 0;
  for await (const c of source) {
    h.update(c);
    size += c.length;
  }
  return { hash: h.digest("hex"), size };
}

async function all(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const h of store.list()) out.push(h);
  return out;
}

describe("S3 blob store (s3rver)", () => {
  let s3: TestS3;
  let prefix: string;
  let store: S3BlobStore;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3.close());

  const fresh = async () => {
    prefix = `u${crypto.randomBytes(4).toString("hex")}/`;
    store = (await createBlobStore(loadConfig(s3.env(prefix)).blobs, null)) as S3BlobStore;
    await store.init();
    return store;
  };
  /** Nothing at all under the store's prefix: no blob, no temporary object. */
  const assertEmpty = async (why: string) => assert.deepEqual(await s3.keys(prefix), [], why);

  it("refuses to start on a missing bucket, naming it", async () => {
    const missing = await createBlobStore(loadConfig({ ...s3.env(), S3_BUCKET: "no-such-bucket" }).blobs, null);
    await assert.rejects(missing.init!(), /bucket "no-such-bucket" cannot be used: it does not exist/);
  });

  for (const [mode, withLength] of [["streamed with its length", true], ["in parts, length unknown", false]] as const) {
    it(`stores by content hash, reads back, lists and deletes (${mode})`, async () => {
      await fresh();
      const total = 12 * MiB + 12345; // three parts when sent without a length
      const expected = await sha256Of(generated(total));
      const stored = await store.put(generated(total), { maxBytes: 20 * MiB, length: withLength ? total : undefined });
      assert.deepEqual(stored, expected);
      assert.deepEqual(await s3.keys(prefix), [`${prefix}blobs/${expected.hash.slice(0, 2)}/${expected.hash}`], "only the blob, under its hash");
      assert.equal(await store.exists(expected.hash), true);
      assert.deepEqual(await sha256Of((await store.get(expected.hash))!), expected, "the same bytes come back");
      assert.deepEqual(await all(store), [expected.hash]);
      await store.delete(expected.hash);
      assert.equal(await store.exists(expected.hash), false);
      assert.equal(await store.get(expected.hash), null);
      await assertEmpty("deleted");
    });
  }

  it("stores a small body and an empty one without a length", async () => {
    await fresh();
    const small = await store.put(generated(1000, 100), { maxBytes: MiB });
    assert.equal(small.size, 1000);
    const empty = await store.put(generated(0), { maxBytes: MiB });
    assert.equal(empty.hash, crypto.createHash("sha256").digest("hex"));
    assert.deepEqual((await all(store)).sort(), [small.hash, empty.hash].sort());
  });

  it("refuses a body past the limit and keeps nothing, with or without a length", async () => {
    await fresh();
    await assert.rejects(store.put(generated(2 * MiB), { maxBytes: MiB, length: 2 * MiB }), BlobTooLargeError, "declared too large");
    await assert.rejects(store.put(generated(7 * MiB), { maxBytes: 6 * MiB }), BlobTooLargeError, "grows past the limit in its second part");
    await assert.rejects(store.put(generated(3 * MiB), { maxBytes: 4 * MiB, length: 2 * MiB }), /longer than its declared/, "longer than declared");
    await assertEmpty("nothing of a refused upload is kept");
  });

  it("keeps nothing of an upload that breaks off midway or ends short of its length", async () => {
    await fresh();
    await assert.rejects(store.put(generated(10 * MiB, 256 * 1024, { failAt: 3 * MiB }), { maxBytes: 20 * MiB, length: 10 * MiB }), /went away/);
    await assert.rejects(store.put(generated(16 * MiB, 256 * 1024, { failAt: 11 * MiB }), { maxBytes: 20 * MiB }), /went away/, "after two parts went up");
    await assert.rejects(store.put(generated(MiB), { maxBytes: 20 * MiB, length: 2 * MiB }), /ended after 1048576 of its declared 2097152/);
    await assertEmpty("no blob and no temporary object");
    assert.deepEqual(await all(store), []);
  });

  for (const [mode, withLength, bound] of [["streamed", true, 8 * MiB], ["in parts", false, PART_BYTES + 8 * MiB]] as const) {
    it(`never holds much more than ${bound / MiB} MiB of a 48 MiB upload (${mode})`, async () => {
      await fresh();
      const total = 48 * MiB;
      const start = s3.received();
      let lead = 0;
      // How far the store has read its source ahead of what reached the server: what it holds.
      const onPull = (pulled: number) => (lead = Math.max(lead, pulled - (s3.received() - start)));
      const stored = await store.put(generated(total, 256 * 1024, { onPull }), { maxBytes: 64 * MiB, length: withLength ? total : undefined });
      assert.equal(stored.size, total);
      assert.ok(lead < bound, `the store ran ${(lead / MiB).toFixed(1)} MiB ahead of the server`);
      assert.ok(lead > 0, "the measure saw the upload");
    });
  }

  it("sweeps temporary objects that a killed upload left, once they are old", async () => {
    await fresh();
    await s3.client.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${store.tmpPrefix}dead`, Body: "half" }));
    assert.equal(await store.sweepIncomplete(), 0, "a young one may be an upload in progress");
    assert.equal(await store.sweepIncomplete(Date.now() + 2 * 3600_000), 1);
    await assertEmpty("swept");
  });
});
