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

export const storeVaultKey = (key: CryptoKey) => tx<void>("readwrite", (s) => s.put(key, KEY));
export const loadVaultKey = () => tx<CryptoKey | undefined>("readonly", (s) => s.get(KEY));
export const clearVaultKey = () => tx<void>("readwrite", (s) => s.delete(KEY)).catch(() => undefined);
