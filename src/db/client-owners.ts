// Who owns which client (developer console). Every decision that counts owners or owned clients
// runs in one transaction that first takes a lock — the account's row for "how many clients does
// this account own", the client's row for "is this the last owner" — then counts and writes, so the
// per-account limit and "never zero owners" hold under parallel requests and across processes
// (a row lock on PostgreSQL, the write lock on SQLite).
import type { DataSource, EntityManager } from "typeorm";
import { AccountEntity, ClientEntity, ClientOwnerEntity, type ClientOwnerRow, type ClientRow } from "./entities.js";
import { inTransaction } from "./transaction.js";

export type AddOwnerResult = "added" | "already" | "limit" | "no-account";
export type RemoveOwnerResult = "removed" | "last" | "absent";

export class ClientOwnerStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Inserts the client with `accountId` as its first owner, unless the account already owns `max`
   * clients: then nothing is written and the answer is false.
   */
  async insertWithOwner(row: ClientRow, accountId: string, max: number): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      if (!(await lockAccount(m, accountId))) return false;
      if ((await countOwned(m, accountId)) >= max) return false;
      await m.getRepository(ClientEntity).insert(row);
      await m.getRepository(ClientOwnerEntity).insert({ clientId: row.clientId, accountId, addedAt: row.createdAt });
      return true;
    });
  }

  /** Adds a co-owner; a co-owned client counts against that account's limit too. */
  async add(clientId: string, accountId: string, max: number): Promise<AddOwnerResult> {
    return inTransaction(this.ds, async (m) => {
      if (!(await lockAccount(m, accountId))) return "no-account";
      const owners = m.getRepository(ClientOwnerEntity);
      if (await owners.exists({ where: { clientId, accountId } })) return "already";
      if ((await countOwned(m, accountId)) >= max) return "limit";
      await owners.insert({ clientId, accountId, addedAt: Date.now() });
      return "added";
    });
  }

  /** Removes an owner, never the last one (two owners removing each other at once leave one). */
  async remove(clientId: string, accountId: string): Promise<RemoveOwnerResult> {
    return inTransaction(this.ds, async (m) => {
      await m.createQueryBuilder().update(ClientEntity).set({ clientId }).where({ clientId }).execute();
      const owners = m.getRepository(ClientOwnerEntity);
      if (!(await owners.exists({ where: { clientId, accountId } }))) return "absent";
      if ((await owners.count({ where: { clientId } })) <= 1) return "last";
      await owners.delete({ clientId, accountId });
      return "removed";
    });
  }

  ownersOf(clientId: string): Promise<ClientOwnerRow[]> {
    return this.ds.getRepository(ClientOwnerEntity).find({ where: { clientId }, order: { addedAt: "ASC" } });
  }

  async clientIdsOf(accountId: string): Promise<string[]> {
    return (await this.ds.getRepository(ClientOwnerEntity).find({ where: { accountId }, order: { addedAt: "ASC" } })).map((r) => r.clientId);
  }

  isOwner(clientId: string, accountId: string): Promise<boolean> {
    return this.ds.getRepository(ClientOwnerEntity).exists({ where: { clientId, accountId } });
  }

  /** Owners of many clients at once (the admin list). */
  async ownersByClient(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const r of await this.ds.getRepository(ClientOwnerEntity).find({ order: { addedAt: "ASC" } })) {
      out.set(r.clientId, [...(out.get(r.clientId) ?? []), r.accountId]);
    }
    return out;
  }
}

/** Takes the account's row lock until the transaction ends (a write of the row to itself); false when there is no such account. */
async function lockAccount(m: EntityManager, accountId: string): Promise<boolean> {
  const r = await m.createQueryBuilder().update(AccountEntity).set({ id: accountId }).where({ id: accountId }).execute();
  return (r.affected ?? 0) > 0;
}

function countOwned(m: EntityManager, accountId: string): Promise<number> {
  return m.getRepository(ClientOwnerEntity).count({ where: { accountId } });
}
