// Queries on sealed vault items and files. Writes that touch both run in one transaction.
//
// The quota is decided here, in the database, so that it holds across processes: a decision about a
// holder's room (reserving it for an upload, or completing one whose reservation lapsed) runs in a
// transaction that first locks the holder's row in vault_quota_locks (a row lock on PostgreSQL, the
// write lock on SQLite), then sums what counts and writes. Decisions about one vault take turns;
// everyone else's run in parallel. What counts: files attached to an item, unattached uploads
// younger than the window, and live reservations (uploads in progress).
import crypto from "node:crypto";
import { type DataSource, type EntityManager, In, IsNull, LessThan, LessThanOrEqual, type Repository } from "typeorm";
import { VaultFileEntity, type VaultFileRow, VaultItemEntity, type VaultItemRow, VaultQuotaLockEntity, VaultReservationEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";

export interface ReserveRequest {
  /** Reserve as much room as is left, up to `max` bytes... */
  max: number;
  /** ...but at least `min`, or nothing. */
  min: number;
  quota: number;
  /** After this the reservation stops counting (a process that crashed mid-upload never releases it). */
  ttlMs: number;
  /** Unattached uploads older than this no longer count. */
  unattachedTtlMs: number;
}

export interface QuotaRule {
  quota: number;
  unattachedTtlMs: number;
}

export class VaultStore {
  private readonly items: Repository<VaultItemRow>;
  private readonly files: Repository<VaultFileRow>;

  constructor(private readonly ds: DataSource) {
    this.items = ds.getRepository(VaultItemEntity);
    this.files = ds.getRepository(VaultFileEntity);
  }

  listItems(accountId: string): Promise<VaultItemRow[]> {
    return this.items.find({ where: { accountId }, order: { type: "ASC" } });
  }

  item(accountId: string, type: string): Promise<VaultItemRow | null> {
    return this.items.findOne({ where: { accountId, type } });
  }

  listFiles(accountId: string): Promise<VaultFileRow[]> {
    return this.files.find({ where: { accountId } });
  }

  file(accountId: string, id: string): Promise<VaultFileRow | null> {
    return this.files.findOne({ where: { accountId, id } });
  }

  fileById(id: string): Promise<VaultFileRow | null> {
    return this.files.findOne({ where: { id } });
  }

  filesByIds(accountId: string, ids: string[]): Promise<VaultFileRow[]> {
    return ids.length ? this.files.find({ where: { accountId, id: In(ids) } }) : Promise.resolve([]);
  }

  /** Holds room for an upload before it streams; null when less than `min` bytes are left. */
  async reserve(accountId: string, req: ReserveRequest, now = Date.now()): Promise<{ id: string; bytes: number } | null> {
    return inTransaction(this.ds, async (m) => {
      await this.lockQuota(m, accountId, now);
      const room = req.quota - (await this.counted(m, accountId, req.unattachedTtlMs, now));
      const bytes = Math.min(req.max, room);
      if (bytes < req.min || bytes < 0) return null;
      const id = crypto.randomUUID();
      await m.getRepository(VaultReservationEntity).insert({ id, accountId, bytes, expiresAt: now + req.ttlMs });
      return { id, bytes };
    });
  }

  /**
   * Turns a reservation into the uploaded file, in one transaction. Its room was held, so the file
   * fits; only if the reservation lapsed meanwhile (or is too small) is the quota checked again, and
   * false returned when the file no longer fits.
   */
  async completeUpload(reservationId: string, row: VaultFileRow, rule: QuotaRule, now = Date.now()): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      await this.lockQuota(m, row.accountId, now);
      const reservations = m.getRepository(VaultReservationEntity);
      const held = await reservations.findOne({ where: { id: reservationId } });
      if (held) await reservations.delete({ id: reservationId });
      if (!held || held.expiresAt <= now || held.bytes < row.size) {
        if ((await this.counted(m, row.accountId, rule.unattachedTtlMs, now)) + row.size > rule.quota) return false;
      }
      await m.getRepository(VaultFileEntity).insert(row);
      return true;
    });
  }

  /** Gives a reservation's room back (the upload failed). */
  async release(reservationId: string): Promise<void> {
    await this.ds.getRepository(VaultReservationEntity).delete({ id: reservationId });
  }

  /** Drops reservations that have expired (left by a process that died mid-upload). */
  async purgeReservations(now = Date.now()): Promise<number> {
    return (await this.ds.getRepository(VaultReservationEntity).delete({ expiresAt: LessThanOrEqual(now) })).affected ?? 0;
  }

  async setErrors(accountId: string, type: string, version: number, errors: string): Promise<boolean> {
    return ((await this.items.update({ accountId, type, version }, { errors })).affected ?? 0) > 0;
  }

  /**
   * Writes an item and its file links atomically; `expectedVersion` guards against a stale write
   * (the update matches no row if another tab saved first). Returns the files that were detached.
   */
  async saveItem(row: VaultItemRow, expectedVersion: number, fileIds: string[]): Promise<{ saved: boolean; detached: VaultFileRow[] }> {
    return inTransaction(this.ds, async (m) => {
      const items = m.getRepository(VaultItemEntity);
      if (expectedVersion === 0) {
        const exists = await items.findOne({ where: { accountId: row.accountId, type: row.type } });
        if (exists) return { saved: false, detached: [] };
        await items.insert(row);
      } else {
        const res = await items.update({ accountId: row.accountId, type: row.type, version: expectedVersion, id: row.id }, {
          version: row.version,
          ciphertext: row.ciphertext,
          wrappedKey: row.wrappedKey,
          size: row.size,
          verification: row.verification,
          errors: null,
          updatedAt: row.updatedAt,
        });
        if (!res.affected) return { saved: false, detached: [] };
      }
      return { saved: true, detached: await this.relink(m, row.accountId, row.id, fileIds) };
    });
  }

  /** Deletes an item (if still at `expectedVersion`) and its files; returns the removed files. */
  async deleteItem(accountId: string, type: string, expectedVersion: number): Promise<VaultFileRow[] | null> {
    return inTransaction(this.ds, async (m) => {
      const item = await m.getRepository(VaultItemEntity).findOne({ where: { accountId, type } });
      if (!item || item.version !== expectedVersion) return null;
      const files = await m.getRepository(VaultFileEntity).find({ where: { accountId, itemId: item.id } });
      await m.getRepository(VaultFileEntity).delete({ accountId, itemId: item.id });
      await m.getRepository(VaultItemEntity).delete({ id: item.id });
      return files;
    });
  }

  async deleteFile(accountId: string, id: string): Promise<boolean> {
    return ((await this.files.delete({ accountId, id, itemId: IsNull() })).affected ?? 0) > 0;
  }

  /** Every item and file of the account; returns the files so their blobs can go too. */
  async deleteAll(accountId: string): Promise<VaultFileRow[]> {
    return inTransaction(this.ds, async (m) => {
      // The quota lock first, in the same order as uploads take it (no deadlock with one finishing).
      await this.lockQuota(m, accountId, Date.now());
      const files = await m.getRepository(VaultFileEntity).find({ where: { accountId } });
      await m.getRepository(VaultFileEntity).delete({ accountId });
      await m.getRepository(VaultItemEntity).delete({ accountId });
      await m.getRepository(VaultReservationEntity).delete({ accountId });
      await m.getRepository(VaultQuotaLockEntity).delete({ accountId });
      return files;
    });
  }

  /** Uploaded files never attached to an item, older than `cutoff`. */
  async deleteUnattachedBefore(cutoff: number): Promise<VaultFileRow[]> {
    const rows = await this.files.find({ where: { itemId: IsNull(), createdAt: LessThan(cutoff) } });
    if (rows.length) await this.files.delete({ id: In(rows.map((r) => r.id)), itemId: IsNull() });
    return rows;
  }

  /** Every blob hash a file refers to (for checking a restored store). */
  async blobHashes(): Promise<string[]> {
    const rows = await this.files.createQueryBuilder("f").select("DISTINCT f.blob_hash", "h").getRawMany<{ h: string }>();
    return rows.map((r) => r.h);
  }

  async blobInUse(hash: string): Promise<boolean> {
    return (await this.files.count({ where: { blobHash: hash } })) > 0;
  }

  /** Takes the holder's quota lock until the transaction ends (the upsert's write is the lock). */
  private async lockQuota(m: EntityManager, accountId: string, now: number): Promise<void> {
    await m.createQueryBuilder().insert().into(VaultQuotaLockEntity).values({ accountId, lockedAt: now }).orUpdate(["locked_at"], ["account_id"]).execute();
  }

  /** Bytes that count against the quota now: attached files, recent unattached uploads, live reservations. */
  private async counted(m: EntityManager, accountId: string, unattachedTtlMs: number, now: number): Promise<number> {
    const files = await m
      .getRepository(VaultFileEntity)
      .createQueryBuilder("f")
      .select("COALESCE(SUM(f.size), 0)", "total")
      .where("f.account_id = :accountId AND (f.item_id IS NOT NULL OR f.created_at > :since)", { accountId, since: now - unattachedTtlMs })
      .getRawOne<{ total: string | number }>();
    const held = await m
      .getRepository(VaultReservationEntity)
      .createQueryBuilder("r")
      .select("COALESCE(SUM(r.bytes), 0)", "total")
      .where("r.account_id = :accountId AND r.expires_at > :now", { accountId, now })
      .getRawOne<{ total: string | number }>();
    return Number(files?.total ?? 0) + Number(held?.total ?? 0);
  }

  private async relink(m: EntityManager, accountId: string, itemId: string, fileIds: string[]): Promise<VaultFileRow[]> {
    const files = m.getRepository(VaultFileEntity);
    const current = await files.find({ where: { accountId, itemId } });
    const keep = new Set(fileIds);
    const detached = current.filter((f) => !keep.has(f.id));
    if (detached.length) await files.delete({ id: In(detached.map((f) => f.id)) });
    if (fileIds.length) await files.update({ accountId, id: In(fileIds) }, { itemId });
    return detached;
  }
}
