// The sign-in history: one row per attempt on a known account (success, failure, lock).
import { type DataSource, LessThan, type Repository } from "typeorm";
import { SignInEventEntity, type SignInEventRow } from "./entities.js";

export class SignInEventStore {
  private readonly repo: Repository<SignInEventRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(SignInEventEntity);
  }

  async insert(row: SignInEventRow): Promise<void> {
    await this.repo.insert(row);
  }

  /** The newest `limit` events of the account. */
  recent(accountId: string, limit: number): Promise<SignInEventRow[]> {
    return this.repo.find({ where: { accountId }, order: { at: "DESC" }, take: limit });
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }

  async purge(before: number): Promise<number> {
    return (await this.repo.delete({ at: LessThan(before) })).affected ?? 0;
  }
}
