// Queries on the clients table (admin-managed relying parties).
import type { DataSource, Repository } from "typeorm";
import { ClientEntity, type ClientRow } from "./entities.js";
import { lookupBy } from "./lookup.js";

export class ClientStore {
  private readonly repo: Repository<ClientRow>;
  /** oidc-provider reads the client on every request: fixed SQL (see lookup.ts). */
  readonly get: (clientId: string) => Promise<ClientRow | null>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ClientEntity);
    this.get = lookupBy(ds, ClientEntity, "clientId");
  }

  list(): Promise<ClientRow[]> {
    return this.repo.find({ order: { createdAt: "ASC" } });
  }

  async insert(row: ClientRow): Promise<void> {
    await this.repo.insert(row);
  }

  async update(clientId: string, patch: Partial<ClientRow>): Promise<boolean> {
    return ((await this.repo.update({ clientId }, patch)).affected ?? 0) > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    return ((await this.repo.delete({ clientId })).affected ?? 0) > 0;
  }
}
