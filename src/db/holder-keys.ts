// Holders' public keys and their wrapped private keys (opaque to the server), one row per account.
import type { DataSource, Repository } from "typeorm";
import { HolderKeyEntity, type HolderKeyRow } from "./entities.js";
import { insertUnlessTaken } from "./errors.js";

export class HolderKeyStore {
  private readonly repo: Repository<HolderKeyRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(HolderKeyEntity);
  }

  get(accountId: string): Promise<HolderKeyRow | null> {
    return this.repo.findOne({ where: { accountId } });
  }

  /** First set-up only: false when the account has keys already (a second tab, a replay). */
  insert(row: HolderKeyRow): Promise<boolean> {
    return insertUnlessTaken(this.repo, row);
  }

  async delete(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }
}
