// oidc-provider's adapter interface over OidcStore, one instance per model name. Clients are not
// in the artifact table: the Client model reads the admin-managed clients table instead.
import type { Adapter, AdapterPayload } from "oidc-provider";
import type { OidcStore } from "../db/oidc-store.js";
import type { ClientService } from "../services/clients.js";

export function adapterFactory(store: OidcStore, clients: ClientService) {
  return class TypeOrmAdapter implements Adapter {
    constructor(private readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === "Client") throw new Error("clients are managed on the admin page, not by registration");
      await store.upsert(this.name, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === "Client") return (await clients.findEnabledMetadata(id)) as AdapterPayload | undefined;
      return (await store.find(this.name, { id })) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await store.find(this.name, { userCode })) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await store.find(this.name, { uid })) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.name, id);
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(grantId);
    }
  };
}
