// Sealed credentials (SD-JWT VCs sealed to their holder) with their public status metadata.
import { type DataSource, IsNull, type Repository } from "typeorm";
import { CredentialEntity, type CredentialRow, StatusListEntity } from "./entities.js";
import { inTransaction } from "./transaction.js";

export class CredentialStore {
  private readonly repo: Repository<CredentialRow>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(CredentialEntity);
  }

  get(id: string): Promise<CredentialRow | null> {
    return this.repo.findOne({ where: { id } });
  }

  ofAccount(accountId: string): Promise<CredentialRow[]> {
    return this.repo.find({ where: { accountId }, order: { issuedAt: "DESC" } });
  }

  ofSubmission(submissionId: string): Promise<CredentialRow[]> {
    return this.repo.find({ where: { submissionId } });
  }

  ofVerifier(verifierId: string, limit = 200): Promise<CredentialRow[]> {
    return this.repo.find({ where: { verifierId }, order: { issuedAt: "DESC" }, take: limit });
  }

  /**
   * Revocation: the list's new token replaces the old only if the list is still at `version`
   * (compare-and-set), and the credential is marked revoked in the same transaction.
   */
  async revoke(id: string, listId: string, version: number, token: string, now: number): Promise<boolean> {
    return inTransaction(this.ds, async (m) => {
      const res = await m.getRepository(StatusListEntity).update({ id: listId, version }, { token, version: version + 1, updatedAt: now });
      if (!res.affected) return false;
      await m.getRepository(CredentialEntity).update({ id, revokedAt: IsNull() }, { revokedAt: now });
      return true;
    });
  }
}
