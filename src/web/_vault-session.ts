// Keeps the unwrapped vault key in this browser as a non-extractable CryptoKey in IndexedDB, so
// pages can use it without the password and nothing can read its bytes. Cleared on sign-out.
const DB = "passport";
const STORE = "keys";
const KEY = "vault";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const req = op(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error);
  }).finally(() => db.close());
}

/** A key that can still be exported (fresh from sign-up or recovery) is stored as a non-extractable copy. */
async function nonExtractable(key: CryptoKey): Promise<CryptoKey> {
  if (!key.extractable) return key;
  const raw = await crypto.subtle.exportKey("raw", key);
  return crypto.subtle.importKey("raw", raw, key.algorithm, false, key.usages);
}

export const storeVaultKey = async (key: CryptoKey) => {
  const stored = await nonExtractable(key);
  return tx<void>("readwrite", (s) => s.put(stored, KEY));
};
export const loadVaultKey = () => tx<CryptoKey | undefined>("readonly", (s) => s.get(KEY));
export const clearVaultKey = () => tx<void>("readwrite", (s) => s.delete(KEY)).catch(() => undefined);
