// Verifiers and their members. Key set-up is a compare-and-set: the keys are written only where
// none are yet, so two members setting up at once cannot overwrite each other's keys.
import { type DataSource, In, IsNull, type Repository } from "typeorm";
import { StatusListEntity, type StatusListRow, VerifierEntity, VerifierMemberEntity, type VerifierMemberRow, type VerifierRow } from "./entities.js";
import { insertUnlessTaken } from "./errors.js";
import { inTransaction } from "./transaction.js";

export class VerifierStore {
  private readonly repo: Repository<VerifierRow>;
  private readonly members: Repository<VerifierMemberRow>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(VerifierEntity);
    this.members = ds.getRepository(VerifierMemberEntity);
  }

  list(): Promise<VerifierRow[]> {
    return this.repo.find({ order: { name: "ASC" } });
  }

  bySlug(slug: string): Promise<VerifierRow | null> {
    return this.repo.findOne({ where: { slug } });
  }

  byId(id: string): Promise<VerifierRow | null> {
    return this.repo.findOne({ where: { id } });
  }

  byIds(ids: string[]): Promise<VerifierRow[]> {
    return ids.length ? this.repo.find({ where: { id: In(ids) } }) : Promise.resolve([]);
  }

  /** False when the slug is taken. */
  insert(row: VerifierRow): Promise<boolean> {
    return insertUnlessTaken(this.repo, row);
  }

  async update(id: string, patch: Partial<Pick<VerifierRow, "name" | "trustFramework" | "assuranceLevel" | "evidenceMethods" | "externalIssuer" | "status">>): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  /**
   * First key set-up, all or nothing: the public keys (only where none are set), the first
   * member's sealed keys and the initial status list. False when keys were set meanwhile.
   */
  async setKeys(id: string, keys: { signingJwk: string; encryptionJwk: string }, member: { accountId: string; sealedKeys: string } | null, list: StatusListRow): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      const res = await m.getRepository(VerifierEntity).update({ id, signingJwk: IsNull() }, keys);
      if (!res.affected) return false;
      if (member) await m.getRepository(VerifierMemberEntity).update({ verifierId: id, accountId: member.accountId }, { sealedKeys: member.sealedKeys });
      await m.getRepository(StatusListEntity).insert(list);
      return true;
    });
  }

  membersOf(verifierId: string): Promise<VerifierMemberRow[]> {
    return this.members.find({ where: { verifierId }, order: { addedAt: "ASC" } });
  }

  member(verifierId: string, accountId: string): Promise<VerifierMemberRow | null> {
    return this.members.findOne({ where: { verifierId, accountId } });
  }

  membershipsOf(accountId: string): Promise<VerifierMemberRow[]> {
    return this.members.find({ where: { accountId } });
  }

  /** False when already a member. */
  addMember(row: VerifierMemberRow): Promise<boolean> {
    return insertUnlessTaken(this.members, row);
  }

  async removeMember(verifierId: string, accountId: string): Promise<boolean> {
    return ((await this.members.delete({ verifierId, accountId })).affected ?? 0) > 0;
  }

  /** Shares the keys with a member who has none yet (compare-and-set: a second share is refused). */
  async setMemberKeys(verifierId: string, accountId: string, sealedKeys: string): Promise<boolean> {
    return ((await this.members.update({ verifierId, accountId, sealedKeys: IsNull() }, { sealedKeys })).affected ?? 0) > 0;
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.members.delete({ accountId });
  }
}
