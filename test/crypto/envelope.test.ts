// Item and file envelopes: each sealed and opened; a flipped byte, a swapped id, type or version,
// a replayed older version, or a key moved to another item fails to open.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CryptoError,
  b64uDecode,
  b64uEncode,
  generateVaultKey,
  openFile,
  openItem,
  sealFile,
  sealItem,
  sha256Hex,
  unwrapItemKey,
  openFileWithKey,
} from "../../src/crypto/index.js";

const ref = { id: "0b9f1d2e-1111-4c3a-9c1e-2f2f2f2f2f2f", type: "passport", version: 3 };
const data = { document_no: "X1234567", expiry_date: "2031-01-01", names: ["Zoë", "李"] };

function flip(b64u: string, index: number): string {
  const bytes = b64uDecode(b64u);
  bytes[index] = bytes[index]! ^ 1;
  return b64uEncode(bytes);
}

describe("item envelopes", () => {
  it("seal and open round trip", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealItem(vk, ref, data);
    assert.deepEqual(await openItem(vk, ref, sealed), data);
    assert.ok(!sealed.ciphertext.includes("X1234567"));
  });

  it("each seal uses a fresh key and IV", async () => {
    const vk = await generateVaultKey();
    const a = await sealItem(vk, ref, data);
    const b = await sealItem(vk, ref, data);
    assert.notEqual(a.ciphertext, b.ciphertext);
    assert.notEqual(a.wrappedKey, b.wrappedKey);
  });

  it("fails on any flipped ciphertext byte", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealItem(vk, ref, data);
    const len = b64uDecode(sealed.ciphertext).length;
    for (const i of [0, 11, 12, len - 17, len - 1]) {
      await assert.rejects(openItem(vk, ref, { ...sealed, ciphertext: flip(sealed.ciphertext, i) }), CryptoError);
    }
  });

  it("fails when the id, type or version is swapped", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealItem(vk, ref, data);
    await assert.rejects(openItem(vk, { ...ref, id: "another-id" }, sealed), CryptoError);
    await assert.rejects(openItem(vk, { ...ref, type: "identity_card" }, sealed), CryptoError);
    await assert.rejects(openItem(vk, { ...ref, version: 4 }, sealed), CryptoError);
  });

  it("fails when an older version is replayed under the current number", async () => {
    const vk = await generateVaultKey();
    const v1 = await sealItem(vk, { ...ref, version: 1 }, { document_no: "OLD" });
    await sealItem(vk, { ...ref, version: 2 }, { document_no: "NEW" });
    await assert.rejects(openItem(vk, { ...ref, version: 2 }, v1), CryptoError);
  });

  it("fails when another item's key is moved in", async () => {
    const vk = await generateVaultKey();
    const a = await sealItem(vk, ref, data);
    const other = { ...ref, id: "other-item", type: "identity_card" };
    const b = await sealItem(vk, other, data);
    await assert.rejects(openItem(vk, ref, { ciphertext: a.ciphertext, wrappedKey: b.wrappedKey }), CryptoError);
  });

  it("fails with another vault key", async () => {
    const sealed = await sealItem(await generateVaultKey(), ref, data);
    await assert.rejects(openItem(await generateVaultKey(), ref, sealed), CryptoError);
  });
});

describe("file envelopes", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);

  it("seal and open round trip, with the sha256 of the sealed bytes", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealFile(vk, "file-1", bytes);
    assert.equal(sealed.bytes.length, bytes.length + 28);
    assert.equal(sealed.sha256, await sha256Hex(sealed.bytes));
    assert.deepEqual(await openFile(vk, "file-1", sealed.wrappedKey, sealed.bytes), bytes);
  });

  it("fails on a flipped byte or under another file id", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealFile(vk, "file-1", bytes);
    const tampered = sealed.bytes.slice();
    tampered[500] = tampered[500]! ^ 0x80;
    await assert.rejects(openFile(vk, "file-1", sealed.wrappedKey, tampered), CryptoError);
    await assert.rejects(openFile(vk, "file-2", sealed.wrappedKey, sealed.bytes), CryptoError);
  });

  it("hands out an extractable file key only on request, and it opens the file alone", async () => {
    const vk = await generateVaultKey();
    const sealed = await sealFile(vk, "file-3", bytes);
    const locked = await unwrapItemKey(sealed.wrappedKey, vk, "file-3");
    await assert.rejects(crypto.subtle.exportKey("raw", locked));
    const shared = await unwrapItemKey(sealed.wrappedKey, vk, "file-3", true);
    const raw = await crypto.subtle.exportKey("raw", shared);
    const rpKey = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
    assert.deepEqual(await openFileWithKey(rpKey, "file-3", sealed.bytes), bytes);
  });
});
