// Queries on playground_clients: the short-lived public clients registered by the playground page,
// with their expiry, so the purge finds them.
import { type DataSource, In, LessThan, type Repository } from "typeorm";
import { PlaygroundClientEntity, type PlaygroundClientRow, ShareEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";

export class PlaygroundClientStore {
  private readonly repo: Repository<PlaygroundClientRow>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(PlaygroundClientEntity);
  }

  async insert(row: PlaygroundClientRow): Promise<void> {
    await this.repo.insert(row);
  }

  async delete(clientId: string): Promise<void> {
    await this.repo.delete({ clientId });
  }

  async expired(now: number, limit: number): Promise<string[]> {
    const rows = await this.repo.find({ where: { expiresAt: LessThan(now) }, order: { expiresAt: "ASC" }, take: limit });
    return rows.map((r) => r.clientId);
  }

  /** Forgets the clients (ClientService.delete has taken their grants, tokens and payloads) and any payload left. */
  async purge(clientIds: string[]): Promise<void> {
    if (!clientIds.length) return;
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(ShareEntity).delete({ clientId: In(clientIds) });
      await m.getRepository(PlaygroundClientEntity).delete({ clientId: In(clientIds) });
    });
  }
}
