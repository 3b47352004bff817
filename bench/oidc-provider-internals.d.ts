// Types for the two oidc-provider internals the bare reference uses: its built-in in-memory
// adapter class and the LRU it stores into (see servers/bare-provider.ts for why).
declare module "oidc-provider/lib/adapters/memory_adapter.js" {
  import type { Adapter } from "oidc-provider";
  const MemoryAdapter: new (model: string, store?: unknown, clockTolerance?: number) => Adapter;
  export default MemoryAdapter;
}
declare module "oidc-provider/lib/helpers/lru.js" {
  export default class LRU {
    constructor(opts: { maxSize: number });
  }
}
