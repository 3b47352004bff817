// Keeps the unwrapped vault key in this browser as a non-extractable CryptoKey in IndexedDB, so
// pages can use it without the password and nothing can read its bytes. Cleared on sign-out.
import { keyValueStore } from "./_idb.js";

const store = keyValueStore("passport", "keys");
const KEY = "vault";

/** A key that can still be exported (fresh from sign-up or recovery) is stored as a non-extractable copy. */
async function nonExtractable(key: CryptoKey): Promise<CryptoKey> {
  if (!key.extractable) return key;
  const raw = await crypto.subtle.exportKey("raw", key);
  return crypto.subtle.importKey("raw", raw, key.algorithm, false, key.usages);
}

export const storeVaultKey = async (key: CryptoKey) => {
  const stored = await nonExtractable(key);
  return store.put(KEY, stored);
};
export const loadVaultKey = () => store.get<CryptoKey>(KEY);
export const clearVaultKey = () => store.delete(KEY).catch(() => undefined);
