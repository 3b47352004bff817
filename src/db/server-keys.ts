// Persistence of signing keys, cookie keys and server secrets (table server_keys).
import type { DataSource, Repository } from "typeorm";
import { ServerKeyEntity, type ServerKeyRow } from "./entities.js";
import { inTransaction } from "./transaction.js";

export class ServerKeyStore {
  private readonly repo: Repository<ServerKeyRow>;
  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ServerKeyEntity);
  }

  list(use: string): Promise<ServerKeyRow[]> {
    return this.repo.find({ where: { use }, order: { createdAt: "DESC", kid: "ASC" } });
  }

  get(kid: string): Promise<ServerKeyRow | null> {
    return this.repo.findOne({ where: { kid } });
  }

  /** Inserts unless the kid exists (a second process starting at the same time wins or loses cleanly). */
  async insertIfAbsent(row: ServerKeyRow): Promise<void> {
    await this.repo.createQueryBuilder().insert().values(row).orIgnore().execute();
  }

  async insertMany(rows: ServerKeyRow[]): Promise<void> {
    await inTransaction(this.repo.manager.connection, async (m) => {
      await m.getRepository(ServerKeyEntity).insert(rows);
    });
  }

  async retireActive(use: string, now: number): Promise<void> {
    await this.repo.update({ use, status: "active" }, { status: "retiring", retiredAt: now });
  }

  async remove(kids: string[]): Promise<void> {
    if (kids.length) await this.repo.delete(kids);
  }

  /** A cheap fingerprint of the signing keys, polled to notice a rotation by another process. */
  async version(use: string): Promise<string> {
    const rows = await this.repo.find({ where: { use }, select: { kid: true, status: true } });
    return rows.map((r) => `${r.kid}:${r.status}`).sort().join(",");
  }
}
