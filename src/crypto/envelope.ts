/**
 * Envelopes for vault items and scans. Every item and every file has its own random AES-256-GCM key,
 * wrapped by the vault key; the data is sealed with that key. The additional authenticated data
 * binds what the server might try to swap:
 *
 *   item data   AAD = "passport/item/v1/<id>/<type>/<version>"   → a swapped id or type, or an older
 *                                                                    version replayed under the current
 *                                                                    number, fails to open
 *   file bytes  AAD = "passport/file/v1/<id>"                     → a file passed off as another fails
 *   item key    AAD = "passport/item-key/v1/<id>"                 → a key moved to another item fails
 *
 * Formats: a wrapped key is `v1.<b64u iv>.<b64u ct>` (as for the vault key); item ciphertext is
 * `<b64u iv>.<b64u ct>`; a sealed file is the bytes `iv (12) || ciphertext || tag (16)`.
 */
import { b64uDecode, b64uEncode } from "./base64url.js";
import { CryptoError, CryptoInputError } from "./errors.js";
import { randomBytes } from "./random.js";
import { subtle, utf8 } from "./webcrypto.js";

const IV = 12;
const KEY_USAGES: KeyUsage[] = ["encrypt", "decrypt"];

export interface ItemRef {
  id: string;
  type: string;
  version: number;
}

export interface SealedItem {
  ciphertext: string;
  wrappedKey: string;
}

export interface SealedFile {
  /** iv || ciphertext || tag, what the server stores. */
  bytes: Uint8Array<ArrayBuffer>;
  wrappedKey: string;
  /** SHA-256 of `bytes`, hex: the blob's address, checked on download. */
  sha256: string;
}

const itemAad = (r: ItemRef) => utf8(`passport/item/v1/${r.id}/${r.type}/${r.version}`);
const fileAad = (id: string) => utf8(`passport/file/v1/${id}`);
const keyAad = (id: string) => utf8(`passport/item-key/v1/${id}`);

async function newItemKey(): Promise<CryptoKey> {
  return subtle().generateKey({ name: "AES-GCM", length: 256 }, true, KEY_USAGES);
}

export async function wrapItemKey(key: CryptoKey, vaultKey: CryptoKey, id: string): Promise<string> {
  const iv = randomBytes(IV);
  const wrapped = await subtle().wrapKey("raw", key, vaultKey, { name: "AES-GCM", iv, additionalData: keyAad(id) });
  return `v1.${b64uEncode(iv)}.${b64uEncode(new Uint8Array(wrapped))}`;
}

/** Opens an item or file key. `extractable` only when it must be handed on (sharing with a client). */
export async function unwrapItemKey(wrapped: string, vaultKey: CryptoKey, id: string, extractable = false): Promise<CryptoKey> {
  const parts = wrapped.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") throw new CryptoInputError("wrapped item key has an unknown format");
  try {
    return await subtle().unwrapKey(
      "raw",
      b64uDecode(parts[2]!),
      vaultKey,
      { name: "AES-GCM", iv: b64uDecode(parts[1]!), additionalData: keyAad(id) },
      { name: "AES-GCM", length: 256 },
      extractable,
      KEY_USAGES,
    );
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new CryptoError("this item's key does not open with your vault key", { cause: err });
  }
}

async function encrypt(key: CryptoKey, plaintext: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const iv = randomBytes(IV);
  const ct = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext));
  const out = new Uint8Array(IV + ct.length);
  out.set(iv);
  out.set(ct, IV);
  return out;
}

async function decrypt(key: CryptoKey, sealed: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, what: string): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < IV + 16) throw new CryptoInputError(`${what} is too short`);
  try {
    return new Uint8Array(await subtle().decrypt({ name: "AES-GCM", iv: sealed.subarray(0, IV), additionalData: aad }, key, sealed.subarray(IV)));
  } catch (err) {
    throw new CryptoError(`${what} was altered or does not belong here`, { cause: err });
  }
}

export async function sealItem(vaultKey: CryptoKey, ref: ItemRef, data: unknown): Promise<SealedItem> {
  const key = await newItemKey();
  const sealed = await encrypt(key, utf8(JSON.stringify(data)), itemAad(ref));
  return { ciphertext: b64uEncode(sealed), wrappedKey: await wrapItemKey(key, vaultKey, ref.id) };
}

export async function openItem<T = unknown>(vaultKey: CryptoKey, ref: ItemRef, sealed: SealedItem): Promise<T> {
  const key = await unwrapItemKey(sealed.wrappedKey, vaultKey, ref.id);
  const plain = await decrypt(key, b64uDecode(sealed.ciphertext), itemAad(ref), "this item");
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await subtle().digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sealFile(vaultKey: CryptoKey, id: string, plaintext: Uint8Array<ArrayBuffer>): Promise<SealedFile> {
  const key = await newItemKey();
  const bytes = await encrypt(key, plaintext, fileAad(id));
  return { bytes, wrappedKey: await wrapItemKey(key, vaultKey, id), sha256: await sha256Hex(bytes) };
}

/** Opens a file with its own key (what a relying party holds after a share). */
export function openFileWithKey(key: CryptoKey, id: string, sealed: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return decrypt(key, sealed, fileAad(id), "this file");
}

export async function openFile(vaultKey: CryptoKey, id: string, wrappedKey: string, sealed: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return openFileWithKey(await unwrapItemKey(wrappedKey, vaultKey, id), id, sealed);
}
