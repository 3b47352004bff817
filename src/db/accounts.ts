// Queries on accounts and app sessions.
import { type DataSource, type EntityManager, type FindOptionsWhere, LessThan, MoreThan, type Repository } from "typeorm";
import { AccountEntity, type AccountRow, AppSessionEntity, type AppSessionRow, ClientOwnerEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";
import { lookupBy } from "./lookup.js";
import { insertUnlessTaken } from "./errors.js";

export class AccountStore {
  private readonly repo: Repository<AccountRow>;
  private readonly sessions: Repository<AppSessionRow>;
  /** On every userinfo and refresh: fixed SQL (see lookup.ts). */
  readonly byId: (id: string) => Promise<AccountRow | null>;
  private readonly sessionByHash: (idHash: string) => Promise<AppSessionRow | null>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(AccountEntity);
    this.sessions = ds.getRepository(AppSessionEntity);
    this.byId = lookupBy(ds, AccountEntity, "id");
    this.sessionByHash = lookupBy(ds, AppSessionEntity, "idHash");
  }

  byEmail(emailNormalized: string): Promise<AccountRow | null> {
    return this.repo.findOne({ where: { emailNormalized } });
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  list(): Promise<AccountRow[]> {
    return this.repo.find({ order: { createdAt: "ASC" } });
  }

  /** Inserts; returns false when the normalized email is taken (unique index). */
  async insert(row: AccountRow): Promise<boolean> {
    return insertUnlessTaken(this.repo, row);
  }

  async update(id: string, patch: Partial<AccountRow>): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  /** Compare-and-set: updates only while the row still has `expected`; false when it changed. */
  async updateIf(id: string, expected: Partial<AccountRow>, patch: Partial<AccountRow>): Promise<boolean> {
    // Null-able columns make Partial<AccountRow> wider than a where clause; callers pass values.
    return (await this.repo.update({ ...expected, id } as FindOptionsWhere<AccountRow>, patch)).affected === 1;
  }

  /**
   * Takes administrator rights away unless that would leave the instance without one. The UPDATE
   * only matches while another admin exists: on SQLite (one writer at a time) that statement is
   * atomic on its own; PostgreSQL first locks every admin row (FOR UPDATE), so two admins demoting
   * each other at once take turns and the second one's UPDATE sees the first one's change.
   * "not-admin": nothing to take; "last": refused; "done": taken.
   */
  async demoteUnlessLast(id: string, now = Date.now()): Promise<"not-admin" | "last" | "done"> {
    const demote = async (m: EntityManager) => {
      const others = m.getRepository(AccountEntity).createQueryBuilder("o").select("1").where("o.is_admin = :yes").andWhere("o.id <> :id");
      const res = await m
        .createQueryBuilder()
        .update(AccountEntity)
        .set({ isAdmin: false, updatedAt: now })
        .where("id = :id AND is_admin = :yes")
        .andWhere(`EXISTS (${others.getQuery()})`)
        .setParameters({ id, yes: true })
        .execute();
      return res.affected === 1;
    };
    const done =
      this.ds.options.type === "postgres"
        ? await inTransaction(this.ds, async (m) => {
            await m.getRepository(AccountEntity).createQueryBuilder("a").select("a.id").where("a.is_admin = :yes", { yes: true }).setLock("pessimistic_write").getRawMany();
            return demote(m);
          })
        : await demote(this.ds.manager);
    if (done) return "done";
    return (await this.byId(id))?.isAdmin ? "last" : "not-admin";
  }

  /** Deletes the account and its sessions in one transaction. */
  async delete(id: string): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(AppSessionEntity).delete({ accountId: id });
      // Its ownership of clients goes; the clients stay (with their other owners, or for the admin).
      await m.getRepository(ClientOwnerEntity).delete({ accountId: id });
      await m.getRepository(AccountEntity).delete({ id });
    });
  }

  insertSession(row: AppSessionRow): Promise<unknown> {
    return this.sessions.insert(row);
  }

  findSession(idHash: string): Promise<AppSessionRow | null> {
    return this.sessionByHash(idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.sessions.delete({ idHash });
  }

  /** Ends every session of the account except, optionally, one; returns the ended rows. */
  async deleteSessionsOf(accountId: string, keepIdHash?: string): Promise<AppSessionRow[]> {
    const rows = await this.sessions.find({ where: { accountId } });
    const doomed = rows.filter((r) => r.idHash !== keepIdHash);
    if (doomed.length) await this.sessions.delete(doomed.map((r) => r.idHash));
    return doomed;
  }

  /** The account's live sessions, newest first. */
  listSessions(accountId: string, now = Date.now()): Promise<AppSessionRow[]> {
    return this.sessions.find({ where: { accountId, expiresAt: MoreThan(now) }, order: { createdAt: "DESC" } });
  }

  async updateSession(idHash: string, patch: Partial<Pick<AppSessionRow, "ip" | "userAgent" | "lastSeenAt" | "providerSession">>): Promise<void> {
    await this.sessions.update({ idHash }, patch);
  }

  async purgeSessions(now = Date.now()): Promise<number> {
    return (await this.sessions.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
