// Submissions: sealed items a holder sends to a verifier, and the state of each. Every state change
// is a compare-and-set from `submitted`, so two members deciding at once (or a member deciding
// while the holder withdraws) cannot both win.
import { type DataSource, type EntityManager, In, type Repository } from "typeorm";
import {
  CredentialEntity,
  type CredentialRow,
  HolderKeyEntity,
  StatusReservationEntity,
  SubmissionEntity,
  SubmissionOpenItemEntity,
  type SubmissionRow,
  VaultItemEntity,
} from "./entities.js";
import { isUniqueViolation } from "./errors.js";
import { inTransaction } from "./transaction.js";

export type CreateOutcome = "created" | "limit" | "taken";

export class SubmissionStore {
  private readonly repo: Repository<SubmissionRow>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(SubmissionEntity);
  }

  get(id: string): Promise<SubmissionRow | null> {
    return this.repo.findOne({ where: { id } });
  }

  ofAccount(accountId: string): Promise<SubmissionRow[]> {
    return this.repo.find({ where: { accountId }, order: { createdAt: "DESC" } });
  }

  ofVerifier(verifierId: string, state?: SubmissionRow["state"], limit = 200): Promise<SubmissionRow[]> {
    return this.repo.find({ where: { verifierId, ...(state ? { state } : {}) }, order: { createdAt: state === "submitted" ? "ASC" : "DESC" }, take: limit });
  }

  async countsByState(verifierId: string): Promise<Record<string, number>> {
    const rows = await this.repo.createQueryBuilder("s").select("s.state", "state").addSelect("COUNT(*)", "n").where("s.verifier_id = :verifierId", { verifierId }).groupBy("s.state").getRawMany<{ state: string; n: string | number }>();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /**
   * Inserts a submission if the holder has fewer than `maxOpen` open ones and none of its items is
   * already open at this verifier. The holder's key row is locked first (an UPDATE: a row lock on
   * PostgreSQL, the write lock on SQLite), so parallel submits of one holder count in turn; the
   * open-item rows' primary key lets exactly one of two submits of the same item in.
   */
  async create(row: SubmissionRow, itemIds: string[], maxOpen: number): Promise<CreateOutcome> {
    try {
      return await inTransaction(this.ds, async (m) => {
        await m.getRepository(HolderKeyEntity).createQueryBuilder().update().set({ createdAt: () => "created_at" }).where("account_id = :a", { a: row.accountId }).execute();
        const open = await m.getRepository(SubmissionEntity).count({ where: { accountId: row.accountId, state: "submitted" } });
        if (open >= maxOpen) return "limit" as const;
        await m.getRepository(SubmissionEntity).insert(row);
        await m.getRepository(SubmissionOpenItemEntity).insert(itemIds.map((itemId) => ({ itemId, verifierId: row.verifierId, submissionId: row.id })));
        return "created" as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return "taken";
      throw err;
    }
  }

  /** Holder withdraws: only while submitted. */
  async withdraw(id: string, accountId: string, now: number): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      const res = await m.getRepository(SubmissionEntity).update({ id, accountId, state: "submitted" }, { state: "withdrawn", updatedAt: now });
      if (!res.affected) return false;
      await m.getRepository(SubmissionOpenItemEntity).delete({ submissionId: id });
      return true;
    });
  }

  /** A member rejects: only from submitted. */
  async reject(id: string, by: string, reasons: string, now: number): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      if (!(await this.close(m, id, { state: "rejected", reasons, decidedBy: by, decidedAt: now, updatedAt: now }))) return false;
      return true;
    });
  }

  /**
   * A member approves: the state moves from submitted (or nothing happens), the sealed credentials
   * are stored, and each vault item is marked verified only if it is still at the submitted version
   * (an item changed meanwhile keeps "unverified": what was checked is no longer what it holds).
   */
  async approve(id: string, by: string, credentials: CredentialRow[], now: number): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      if (!(await this.close(m, id, { state: "approved", decidedBy: by, decidedAt: now, updatedAt: now }))) return false;
      if (credentials.length) await m.getRepository(CredentialEntity).insert(credentials);
      for (const c of credentials) {
        await m.getRepository(VaultItemEntity).update({ id: c.itemId, accountId: c.accountId, version: c.itemVersion }, { verification: "verified" });
      }
      return true;
    });
  }

  private async close(m: EntityManager, id: string, patch: Partial<SubmissionRow>): Promise<boolean> {
    const res = await m.getRepository(SubmissionEntity).update({ id, state: "submitted" }, patch);
    if (!res.affected) return false;
    await m.getRepository(SubmissionOpenItemEntity).delete({ submissionId: id });
    return true;
  }

  /** Account deletion: the holder's submissions, their reservations and credentials go with it. */
  async deleteAccount(accountId: string): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      const ids = (await m.getRepository(SubmissionEntity).find({ where: { accountId }, select: { id: true } })).map((s) => s.id);
      if (ids.length) {
        await m.getRepository(SubmissionOpenItemEntity).delete({ submissionId: In(ids) });
        await m.getRepository(StatusReservationEntity).delete({ submissionId: In(ids) });
      }
      await m.getRepository(CredentialEntity).delete({ accountId });
      await m.getRepository(SubmissionEntity).delete({ accountId });
    });
  }
}
