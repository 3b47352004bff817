// oidc-provider looks a client up several times per request (client authentication, then the
// token's own client), and each lookup of an adapter-backed client serializes the whole metadata
// and hashes it (JSON.stringify + SHA-256) to tell whether it changed. ClientService hands back the
// same metadata object for as long as its cache entry is valid (src/services/clients.ts: dropped
// on every change, by any process), so the same object means the same Client instance: keep it.
import type Provider from "oidc-provider";

type Client = NonNullable<Awaited<ReturnType<Provider["Client"]["find"]>>>;

export function memoizeClientFind(provider: Provider, metadataOf: (clientId: string) => Promise<object | undefined>): void {
  const find = provider.Client.find.bind(provider.Client);
  const built = new WeakMap<object, Client>();
  provider.Client.find = async (id: string) => {
    const meta = typeof id === "string" && id ? await metadataOf(id) : undefined;
    if (!meta) return find(id);
    let client = built.get(meta);
    if (!client) {
      client = await find(id);
      if (client) built.set(meta, client);
    }
    return client;
  };
}
