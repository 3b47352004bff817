// A holder's side of verification for the console's browser tests: holder keys made as the vault
// page makes them, items sealed as the vault page seals them, and submissions sealed to a
// verifier as src/web/vault/submission.ts does (the test holds the vault key, so it plays the
// holder's browser).
import assert from "node:assert/strict";
import zlib from "node:zlib";
import type { JWK } from "jose";
import { generateHolderKeys, sealJson, SUBMISSION_TYP, type HolderKeys } from "../../src/credentials/index.js";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { shareDocument } from "../../src/sharing/payload.js";
import { openVaultItem, readVault, saveItem, signUpHolder, uploadFile, type VaultHolder } from "./vault.js";

/** A small real PNG (RGB): a blue band over a pale card, enough for the console to draw. */
export function cardPng(width = 120, height = 80): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(typed.length + 8);
    out.writeUInt32BE(data.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(typed), typed.length + 4);
    return out;
  };
  const stride = width * 3 + 1;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(y < 16 ? [31, 94, 255] : [236, 240, 248], y * stride + 1 + x * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(pixels)), chunk("IEND", Buffer.alloc(0))]);
}

export interface KeyedHolder extends VaultHolder {
  id: string;
  keys: HolderKeys;
}

/** A holder with holder keys, made as the vault page makes them (generated here, wrapped under the vault key). */
export async function keyedHolder(base: string, password: string): Promise<KeyedHolder> {
  const h = await signUpHolder(base, password, KDF_ITERATIONS_FLOOR);
  const id = (await h.agent.request("GET", "/api/account")).json().account.id as string;
  const made = await generateHolderKeys(h.vaultKey, id);
  const res = await h.agent.request("PUT", "/api/vault/holder-keys", { json: { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped } });
  assert.ok(res.status < 300, res.text);
  return { ...h, id, keys: made.keys };
}

/** Stores an item sealed as the vault page would; returns its id and version. */
export async function seedItem(h: VaultHolder, type: string, data: Record<string, unknown>, fileIds: string[] = []): Promise<{ id: string; version: number }> {
  const { id, res } = await saveItem(h, type, data, { fileIds });
  assert.equal(res.status, 200, res.text);
  return { id, version: res.json().version ?? 1 };
}

export async function seedPassport(h: VaultHolder, documentNo: string, png = cardPng()): Promise<{ id: string; version: number }> {
  const up = await uploadFile(h, png);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const front = { id: up.id, mime: "image/png", name: "passport-front.png", size: png.length, sha256: up.sealed.sha256 };
  return seedItem(h, "passport", { document_no: documentNo, expiry_date: "2032-06-30", front_side: front, translation: [] }, [front.id]);
}

/**
 * Submits vault items to a verifier the way the holder's vault page does (src/web/vault/submission.ts):
 * each item opened with the vault key, every field and scan (with its file key) and the holder's
 * public signing key sealed to the verifier's encryption key.
 */
export async function submit(h: KeyedHolder, slug: string, types: string[]): Promise<string> {
  const { verifiers } = (await h.agent.request("GET", "/api/verifiers")).json();
  const v = verifiers.find((x: { slug: string }) => x.slug === slug);
  assert.ok(v, `${slug} is listed for holders`);
  const vault = await readVault(h);
  const items = [];
  for (const type of types) {
    const item = vault.items.find((i: { type: string }) => i.type === type);
    const data = await openVaultItem(h, item);
    const { doc } = await shareDocument(h.vaultKey, item, Object.keys(data as object));
    items.push({ id: item.id, type, version: item.version, fields: doc.fields, files: doc.files });
  }
  const sealed = await sealJson(v.encryption_jwk as JWK, { items, holder: { signingJwk: h.keys.signingJwk } }, SUBMISSION_TYP);
  const fileIds = items.flatMap((i) => i.files.map((f) => f.id));
  const res = await h.agent.request("POST", "/api/vault/submissions", { json: { verifier: slug, items: items.map((i) => ({ itemId: i.id, version: i.version })), sealed, fileIds } });
  assert.equal(res.status, 201, res.text);
  return res.json().submission.id;
}

