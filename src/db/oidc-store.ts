// Storage for oidc-provider artifacts: one table keyed by (kind, id) with indexed grant id, user
// code and uid, plus an expiry purge. The adapter (src/oidc/adapter.ts) is the only caller.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { OidcPayloadEntity, type OidcPayloadRow } from "./entities.js";

export type StoredPayload = Record<string, unknown> & { consumed?: number };

export class OidcStore {
  private readonly repo: Repository<OidcPayloadRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(OidcPayloadEntity);
  }

  async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const row: OidcPayloadRow = {
      kind,
      id,
      payload: JSON.stringify(payload),
      grantId: typeof payload.grantId === "string" ? payload.grantId : null,
      userCode: typeof payload.userCode === "string" ? payload.userCode : null,
      uid: typeof payload.uid === "string" ? payload.uid : null,
      accountId: typeof payload.accountId === "string" ? payload.accountId : null,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
      consumedAt: null,
    };
    await this.repo.upsert(row, ["kind", "id"]);
  }

  async find(kind: string, where: { id: string } | { uid: string } | { userCode: string }) {
    const row = await this.repo.findOne({ where: { kind, ...where } });
    if (!row || (row.expiresAt !== null && row.expiresAt <= Date.now())) return undefined;
    const payload = JSON.parse(row.payload) as StoredPayload;
    if (row.consumedAt !== null) payload.consumed = Math.floor(row.consumedAt / 1000);
    return payload;
  }

  async consume(kind: string, id: string): Promise<void> {
    await this.repo.update({ kind, id }, { consumedAt: Date.now() });
  }

  async destroy(kind: string, id: string): Promise<void> {
    await this.repo.delete({ kind, id });
  }

  /** Grant revocation removes every artifact of the grant, whatever its kind. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.repo.delete({ grantId });
  }

  /** Account deletion: every session, grant and token of the account goes. */
  async revokeByAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const res = await this.repo.delete({ expiresAt: LessThan(now) });
    return res.affected ?? 0;
  }

  async countByKind(kind: string): Promise<number> {
    return this.repo.count({ where: { kind } });
  }
}
