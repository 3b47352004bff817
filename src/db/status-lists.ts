// Token Status Lists: the signed token (made by the verifier, not here), the next free index and a
// version for compare-and-set. Reservations are one conditional UPDATE, never read-then-write.
import type { DataSource, Repository } from "typeorm";
import { StatusListEntity, type StatusListRow, StatusReservationEntity, type StatusReservationRow } from "./entities.js";
import { inTransaction } from "./transaction.js";

export class StatusListStore {
  private readonly repo: Repository<StatusListRow>;
  private readonly reservations: Repository<StatusReservationRow>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(StatusListEntity);
    this.reservations = ds.getRepository(StatusReservationEntity);
  }

  get(id: string): Promise<StatusListRow | null> {
    return this.repo.findOne({ where: { id } });
  }

  ofVerifier(verifierId: string): Promise<StatusListRow[]> {
    return this.repo.find({ where: { verifierId }, order: { updatedAt: "ASC" } });
  }

  reservedFor(submissionId: string): Promise<StatusReservationRow[]> {
    return this.reservations.find({ where: { submissionId } });
  }

  /**
   * Reserves one index per item of a submission, atomically: `next_index` moves up by the count
   * only while room is left (`next_index + n <= size`), in one statement, so parallel calls get
   * distinct ranges. The reservation rows make it idempotent: a second call (same submission)
   * returns what the first reserved; if both race, the loser's insert of the same rows fails, its
   * transaction (and its range) rolls back, and the caller reads the winner's. Null when full.
   */
  async reserve(listId: string, submissionId: string, itemIds: string[]): Promise<StatusReservationRow[] | null> {
    const n = itemIds.length;
    return inTransaction(this.ds, async (m) => {
      const held = await m.getRepository(StatusReservationEntity).find({ where: { submissionId } });
      if (held.length) return held;
      const res = await m
        .createQueryBuilder()
        .update(StatusListEntity)
        .set({ nextIndex: () => `next_index + ${n}` })
        .where("id = :listId AND next_index + :n <= size", { listId, n })
        .execute();
      if (!res.affected) return null;
      const list = await m.getRepository(StatusListEntity).findOneOrFail({ where: { id: listId } });
      const first = list.nextIndex - n;
      const rows = itemIds.map((itemId, i) => ({ submissionId, itemId, statusListId: listId, statusIndex: first + i }));
      await m.getRepository(StatusReservationEntity).insert(rows);
      return rows;
    });
  }

  /** A new token, only if the list is still at `version` (false: someone revoked meanwhile). */
  async replaceToken(id: string, version: number, token: string, now: number): Promise<boolean> {
    return ((await this.repo.update({ id, version }, { token, version: version + 1, updatedAt: now })).affected ?? 0) > 0;
  }
}
