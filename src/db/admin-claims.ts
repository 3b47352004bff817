// Instance-wide one-time claims and the one-time admin links (finding 8). Both are decided by the
// database, so they hold across every process sharing it: a claim is an INSERT that only one
// transaction can make (primary key), a link is spent by an UPDATE that only one can match.
import { type DataSource, IsNull, LessThan, MoreThan, type Repository } from "typeorm";
import { AccountEntity, AdminLinkEntity, type AdminLinkRow, InstanceFlagEntity, type InstanceFlagRow } from "./entities.js";
import { insertUnlessTaken } from "./errors.js";
import { inTransaction } from "./transaction.js";

export class InstanceFlagStore {
  private readonly repo: Repository<InstanceFlagRow>;
  constructor(ds: DataSource) {
    this.repo = ds.getRepository(InstanceFlagEntity);
  }

  /** True for the one caller whose INSERT made the flag; false for everyone else, ever after. */
  async claim(name: string, value: string, now = Date.now()): Promise<boolean> {
    // Almost always already claimed: a read spares the database a failing INSERT.
    if (await this.repo.existsBy({ name })) return false;
    return insertUnlessTaken(this.repo, { name, value, createdAt: now });
  }

  /** Gives a claim back, only if `value` still holds it (its holder failed before finishing). */
  async release(name: string, value: string): Promise<void> {
    await this.repo.delete({ name, value });
  }
}

export class AdminLinkStore {
  private readonly repo: Repository<AdminLinkRow>;
  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(AdminLinkEntity);
  }

  async insert(row: AdminLinkRow): Promise<void> {
    await this.repo.insert(row);
  }

  get(tokenHash: string): Promise<AdminLinkRow | null> {
    return this.repo.findOne({ where: { tokenHash } });
  }

  /**
   * Spends an unused, unexpired link and makes the account admin, in one transaction: the
   * conditional UPDATE matches for exactly one caller. False when nothing matched.
   */
  consume(tokenHash: string, accountId: string, now = Date.now()): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      const spent = await m.getRepository(AdminLinkEntity).update({ tokenHash, usedAt: IsNull(), expiresAt: MoreThan(now) }, { usedAt: now, usedBy: accountId });
      if (spent.affected !== 1) return false;
      await m.getRepository(AccountEntity).update({ id: accountId }, { isAdmin: true, updatedAt: now });
      return true;
    });
  }

  /** Links expired (or used) more than a day ago go; a recent one still explains its refusal. */
  async purge(now = Date.now()): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(now - 86_400_000) })).affected ?? 0;
  }
}
