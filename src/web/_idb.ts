// A one-store IndexedDB key-value helper. IndexedDB is where a non-extractable CryptoKey can be kept
// across page loads: it stores the key as an opaque handle whose bytes no script can read.

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The object store `store` of database `db` (version 1), opened for each operation and closed after. */
export function keyValueStore(db: string, store: string): KeyValueStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(db, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(store);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const tx = async <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> => {
    const handle = await open();
    return new Promise<T>((resolve, reject) => {
      const req = op(handle.transaction(store, mode).objectStore(store));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error);
    }).finally(() => handle.close());
  };
  return {
    get: <T>(key: string) => tx<T | undefined>("readonly", (s) => s.get(key)),
    put: (key, value) => tx<void>("readwrite", (s) => s.put(value, key)),
    delete: (key) => tx<void>("readwrite", (s) => s.delete(key)),
  };
}
