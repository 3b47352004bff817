// Persistence of signing keys, cookie keys and server secrets (table server_keys).
import { type DataSource, Like, type Repository } from "typeorm";
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

  /**
   * Retires the active keys of `use` and inserts `fresh`, in one transaction: a process reloading
   * its keys meanwhile sees the old set or the new one, never a set without active keys.
   */
  async replaceActive(use: string, fresh: ServerKeyRow[], now: number): Promise<void> {
    await inTransaction(this.repo.manager.connection, async (m) => {
      await m.getRepository(ServerKeyEntity).update({ use, status: "active" }, { status: "retiring", retiredAt: now });
      await m.getRepository(ServerKeyEntity).insert(fresh);
    });
  }

  async insertMany(rows: ServerKeyRow[]): Promise<void> {
    await inTransaction(this.repo.manager.connection, async (m) => {
      await m.getRepository(ServerKeyEntity).insert(rows);
    });
  }

  async remove(kids: string[]): Promise<void> {
    if (kids.length) await this.repo.delete(kids);
  }

  /** Any one row whose stored secret starts with `prefix` (e.g. sealed: to check the key at start). */
  firstWithPrefix(prefix: string): Promise<ServerKeyRow | null> {
    return this.repo.findOne({ where: { privateData: Like(`${prefix}%`) } });
  }

  /** Rows whose stored secret starts with `prefix` (e.g. "plain:", written by older versions). */
  listWithPrefix(prefix: string): Promise<ServerKeyRow[]> {
    return this.repo.find({ where: { privateData: Like(`${prefix}%`) } });
  }

  /**
   * Replaces stored secrets in one transaction, each only if it still holds what was read
   * (`from`): a second process doing the same at the same time changes nothing twice.
   */
  async replaceData(changes: { kid: string; from: string; to: string }[]): Promise<number> {
    const ds = this.repo.manager.connection;
    const changed = await inTransaction(ds, async (m) => {
      let n = 0;
      for (const c of changes) {
        const r = await m.getRepository(ServerKeyEntity).update({ kid: c.kid, privateData: c.from }, { privateData: c.to });
        n += r.affected ?? 0;
      }
      return n;
    });
    // SQLite: copy the new pages over the old ones in the database file now, not at some later
    // checkpoint (the freed old values are zeroed: secure_delete in data-source.ts).
    if (changed && ds.options.type === "better-sqlite3") await ds.query("PRAGMA wal_checkpoint(TRUNCATE)");
    return changed;
  }
}

/** A fingerprint of a key set: which kids, in which status. */
export function versionOf(rows: Pick<ServerKeyRow, "kid" | "status">[]): string {
  return rows.map((r) => `${r.kid}:${r.status}`).sort().join(",");
}
