// Queries on sealed vault items and files. Writes that touch both run in one transaction.
import { type DataSource, type EntityManager, In, IsNull, LessThan, type Repository } from "typeorm";
import { VaultFileEntity, type VaultFileRow, VaultItemEntity, type VaultItemRow } from "./entities.js";
import { inTransaction } from "./transaction.js";

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

  async usage(accountId: string): Promise<number> {
    const r = await this.files.createQueryBuilder("f").select("COALESCE(SUM(f.size), 0)", "total").where("f.account_id = :accountId", { accountId }).getRawOne<{ total: string | number }>();
    return Number(r?.total ?? 0);
  }

  async setErrors(accountId: string, type: string, version: number, errors: string): Promise<boolean> {
    return ((await this.items.update({ accountId, type, version }, { errors })).affected ?? 0) > 0;
  }

  async insertFile(row: VaultFileRow): Promise<void> {
    await this.files.insert(row);
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
      const files = await m.getRepository(VaultFileEntity).find({ where: { accountId } });
      await m.getRepository(VaultFileEntity).delete({ accountId });
      await m.getRepository(VaultItemEntity).delete({ accountId });
      return files;
    });
  }

  /** Uploaded files never attached to an item, older than `cutoff`. */
  async deleteUnattachedBefore(cutoff: number): Promise<VaultFileRow[]> {
    const rows = await this.files.find({ where: { itemId: IsNull(), createdAt: LessThan(cutoff) } });
    if (rows.length) await this.files.delete({ id: In(rows.map((r) => r.id)), itemId: IsNull() });
    return rows;
  }

  async blobInUse(hash: string): Promise<boolean> {
    return (await this.files.count({ where: { blobHash: hash } })) > 0;
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
