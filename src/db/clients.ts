// Queries on the clients table (admin-managed relying parties).
import type { DataSource, Repository } from "typeorm";
import { ClientOwnerStore } from "./client-owners.js";
import { ClientEntity, ClientOwnerEntity, type ClientRow, OidcPayloadEntity, ShareEntity } from "./entities.js";
import { lookupBy } from "./lookup.js";
import { inTransaction } from "./transaction.js";

export class ClientStore {
  private readonly repo: Repository<ClientRow>;
  /** oidc-provider reads the client on every request: fixed SQL (see lookup.ts). */
  readonly get: (clientId: string) => Promise<ClientRow | null>;
  /** Owners of console-registered clients (developer console). */
  readonly owners: ClientOwnerStore;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(ClientEntity);
    this.owners = new ClientOwnerStore(ds);
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

  /**
   * Deletes the client with everything issued to it, in one transaction: its grants, tokens, codes
   * and interactions (oidc_payloads.client_id) and the payloads shared with it. The share log stays:
   * it is the holder's record of what went where.
   */
  async delete(clientId: string): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      await m.getRepository(OidcPayloadEntity).delete({ clientId });
      await m.getRepository(ShareEntity).delete({ clientId });
      await m.getRepository(ClientOwnerEntity).delete({ clientId });
      return ((await m.getRepository(ClientEntity).delete({ clientId })).affected ?? 0) > 0;
    });
  }
}
