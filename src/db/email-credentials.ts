// Email attestations Passport issued: whose, and which status entry. Revoking marks the rows first
// (one conditional UPDATE per row, so parallel revocations do not both claim one); the service then
// sets their bits in the signed status list.
import { In, IsNull, Not, type DataSource, type Repository } from "typeorm";
import { EmailCredentialEntity, type EmailCredentialRow } from "./entities.js";

export class EmailCredentialStore {
  private readonly repo: Repository<EmailCredentialRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(EmailCredentialEntity);
  }

  async insert(row: EmailCredentialRow): Promise<void> {
    await this.repo.insert(row);
  }

  byStatus(statusListId: string, statusIndex: number): Promise<EmailCredentialRow | null> {
    return this.repo.findOne({ where: { statusListId, statusIndex } });
  }

  /** The account's credentials not revoked yet. */
  live(accountId: string): Promise<EmailCredentialRow[]> {
    return this.repo.find({ where: { accountId, revokedAt: IsNull() } });
  }

  /** Records that an email item is now verified by this credential (the first time counts). */
  async attach(id: string, now: number): Promise<void> {
    await this.repo.update({ id, attachedAt: IsNull() }, { attachedAt: now });
  }

  /** Marks these rows revoked; returns the ones this call marked (not those another call did). */
  async markRevoked(rows: EmailCredentialRow[], now: number): Promise<EmailCredentialRow[]> {
    const marked: EmailCredentialRow[] = [];
    for (const r of rows) {
      const res = await this.repo.update({ id: r.id, revokedAt: IsNull() }, { revokedAt: now });
      if ((res.affected ?? 0) > 0) marked.push({ ...r, revokedAt: now });
    }
    return marked;
  }

  /** Revoked entries of one list (to repair a list whose bits a failed call left unset). */
  async revokedIn(statusListId: string): Promise<number[]> {
    const rows = await this.repo.find({ where: { statusListId, revokedAt: Not(IsNull()) }, select: { statusIndex: true } });
    return rows.map((r) => r.statusIndex);
  }

  async deleteIds(ids: string[]): Promise<void> {
    if (ids.length) await this.repo.delete({ id: In(ids) });
  }
}
