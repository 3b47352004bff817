// Counters for failed sign-ins, keyed by "account:<email>" or "ip:<address>". Kept in the
// database so every server process behind a load balancer sees the same counts.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { LoginFailureEntity, type LoginFailureRow } from "./entities.js";

export class LoginFailureStore {
  private readonly repo: Repository<LoginFailureRow>;
  constructor(ds: DataSource) {
    this.repo = ds.getRepository(LoginFailureEntity);
  }

  get(key: string): Promise<LoginFailureRow | null> {
    return this.repo.findOne({ where: { key } });
  }

  async put(row: LoginFailureRow): Promise<void> {
    await this.repo.upsert(row, ["key"]);
  }

  async clear(key: string): Promise<void> {
    await this.repo.delete({ key });
  }

  async purgeOlderThan(cutoff: number): Promise<number> {
    return (await this.repo.delete({ lastFailureAt: LessThan(cutoff) })).affected ?? 0;
  }
}
