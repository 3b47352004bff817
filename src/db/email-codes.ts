// One-time email codes: at most one live code per holder and address.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { EmailCodeEntity, type EmailCodeRow } from "./entities.js";

export class EmailCodeStore {
  private readonly repo: Repository<EmailCodeRow>;
  constructor(ds: DataSource) {
    this.repo = ds.getRepository(EmailCodeEntity);
  }

  get(accountId: string, emailHash: string): Promise<EmailCodeRow | null> {
    return this.repo.findOne({ where: { accountId, emailHash } });
  }

  countRecent(accountId: string, since: number): Promise<number> {
    return this.repo.createQueryBuilder("c").where("c.account_id = :accountId AND c.sent_at >= :since", { accountId, since }).getCount();
  }

  async put(row: EmailCodeRow): Promise<void> {
    await this.repo.upsert(row, ["accountId", "emailHash"]);
  }

  async bumpAttempts(accountId: string, emailHash: string): Promise<void> {
    await this.repo.increment({ accountId, emailHash }, "attempts", 1);
  }

  async delete(accountId: string, emailHash: string): Promise<void> {
    await this.repo.delete({ accountId, emailHash });
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }

  async purge(now: number): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
