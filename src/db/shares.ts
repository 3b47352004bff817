// Queries on shares (sealed payload per grant), the share log, and the holder's grants.
import crypto from "node:crypto";
import { type DataSource, In, type Repository } from "typeorm";
import { OidcPayloadEntity, type OidcPayloadRow, ShareEntity, ShareLogEntity, type ShareLogRow, type ShareRow } from "./entities.js";
import { inTransaction } from "./transaction.js";
import { lookupBy } from "./lookup.js";

export class ShareStore {
  private readonly shares: Repository<ShareRow>;
  private readonly log: Repository<ShareLogRow>;
  private readonly oidc: Repository<OidcPayloadRow>;

  /** On every userinfo with Passport scopes and every scan download: fixed SQL (see lookup.ts). */
  readonly byGrant: (grantId: string) => Promise<ShareRow | null>;

  constructor(private readonly ds: DataSource) {
    this.byGrant = lookupBy(ds, ShareEntity, "grantId");
    this.shares = ds.getRepository(ShareEntity);
    this.log = ds.getRepository(ShareLogEntity);
    this.oidc = ds.getRepository(OidcPayloadEntity);
  }

  /** Stores the grant's newest payload and logs the share, together. */
  async save(row: ShareRow, clientName: string): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(ShareEntity).upsert(row, ["grantId"]);
      await m.getRepository(ShareLogEntity).insert({
        id: crypto.randomUUID(),
        accountId: row.accountId,
        clientId: row.clientId,
        clientName,
        types: row.types,
        createdAt: row.createdAt,
      });
    });
  }

  logOf(accountId: string, limit = 200): Promise<ShareLogRow[]> {
    return this.log.find({ where: { accountId }, order: { createdAt: "DESC" }, take: limit });
  }

  /** The holder's live grants: (grant id, client id, payload JSON). */
  async grantsOf(accountId: string): Promise<{ grantId: string; payload: Record<string, unknown> }[]> {
    const rows = await this.oidc.find({ where: { kind: "Grant", accountId } });
    return rows.filter((r) => r.expiresAt === null || r.expiresAt > Date.now()).map((r) => ({ grantId: r.id, payload: JSON.parse(r.payload) }));
  }

  /** Ends grants: their tokens and codes, their stored payloads. */
  async revokeGrants(grantIds: string[]): Promise<void> {
    if (!grantIds.length) return;
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(OidcPayloadEntity).delete({ grantId: In(grantIds) });
      await m.getRepository(OidcPayloadEntity).delete({ kind: "Grant", id: In(grantIds) });
      await m.getRepository(ShareEntity).delete({ grantId: In(grantIds) });
    });
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.shares.delete({ accountId });
    await this.log.delete({ accountId });
  }
}
