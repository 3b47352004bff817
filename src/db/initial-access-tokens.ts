// Initial access tokens for dynamic client registration. A use is spent by one conditional UPDATE
// (unexpired, uses left) that the database lets exactly one caller match per remaining use, so the
// count holds across every process sharing the database.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { InitialAccessTokenEntity, type InitialAccessTokenRow } from "./entities.js";

const USABLE = "token_hash = :tokenHash AND expires_at > :now AND (uses_left IS NULL OR uses_left > 0)";

export class InitialAccessTokenStore {
  private readonly repo: Repository<InitialAccessTokenRow>;
  constructor(ds: DataSource) {
    this.repo = ds.getRepository(InitialAccessTokenEntity);
  }

  async insert(row: InitialAccessTokenRow): Promise<void> {
    await this.repo.insert(row);
  }

  list(): Promise<InitialAccessTokenRow[]> {
    return this.repo.find({ order: { createdAt: "ASC" } });
  }

  get(tokenHash: string): Promise<InitialAccessTokenRow | null> {
    return this.repo.findOne({ where: { tokenHash } });
  }

  /** Spends one use; false when the token is unknown, expired or used up (or another caller won). */
  async spend(tokenHash: string, now = Date.now()): Promise<boolean> {
    const r = await this.repo
      .createQueryBuilder()
      .update()
      .set({ usesLeft: () => "CASE WHEN uses_left IS NULL THEN NULL ELSE uses_left - 1 END", used: () => "used + 1" })
      .where(USABLE, { tokenHash, now })
      .execute();
    return r.affected === 1;
  }

  /** Gives a use back when the registration it paid for failed. */
  async refund(tokenHash: string): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ usesLeft: () => "CASE WHEN uses_left IS NULL THEN NULL ELSE uses_left + 1 END", used: () => "used - 1" })
      .where("token_hash = :tokenHash AND used > 0", { tokenHash })
      .execute();
  }

  async revoke(id: string): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
