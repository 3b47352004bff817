// Passkeys (WebAuthn credentials, public keys only) and their one-time challenges.
import { type DataSource, LessThan, type Repository } from "typeorm";
import { PasskeyEntity, type PasskeyRow, WebauthnChallengeEntity, type WebauthnChallengeRow } from "./entities.js";
import { insertUnlessTaken } from "./errors.js";

export class PasskeyStore {
  private readonly repo: Repository<PasskeyRow>;
  private readonly challenges: Repository<WebauthnChallengeRow>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(PasskeyEntity);
    this.challenges = ds.getRepository(WebauthnChallengeEntity);
  }

  list(accountId: string): Promise<PasskeyRow[]> {
    return this.repo.find({ where: { accountId }, order: { createdAt: "ASC" } });
  }

  count(accountId: string): Promise<number> {
    return this.repo.count({ where: { accountId } });
  }

  byCredentialId(credentialId: string): Promise<PasskeyRow | null> {
    return this.repo.findOne({ where: { credentialId } });
  }

  /** False when the credential is registered already (unique index). */
  async insert(row: PasskeyRow): Promise<boolean> {
    return insertUnlessTaken(this.repo, row);
  }

  async update(accountId: string, id: string, patch: Partial<Pick<PasskeyRow, "name" | "counter" | "lastUsedAt">>): Promise<boolean> {
    return ((await this.repo.update({ accountId, id }, patch)).affected ?? 0) === 1;
  }

  async remove(accountId: string, id: string): Promise<boolean> {
    return ((await this.repo.delete({ accountId, id })).affected ?? 0) === 1;
  }

  async deleteAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
    await this.challenges.delete({ accountId });
  }

  /** Stores a challenge; one under the same id replaces the older one (a registration per account). */
  async putChallenge(row: WebauthnChallengeRow): Promise<void> {
    await this.challenges.upsert(row, ["idHash"]);
  }

  /**
   * Takes the challenge out; only one of parallel takers gets it, and only while it is live. With
   * `challenge`, only that one: an answer to a replaced challenge leaves the newer one in place.
   */
  async takeChallenge(idHash: string, purpose: WebauthnChallengeRow["purpose"], now = Date.now(), challenge?: string): Promise<WebauthnChallengeRow | null> {
    const row = await this.challenges.findOne({ where: { idHash, purpose, ...(challenge === undefined ? {} : { challenge }) } });
    if (!row) return null;
    const taken = ((await this.challenges.delete({ idHash, challenge: row.challenge })).affected ?? 0) === 1;
    return taken && row.expiresAt > now ? row : null;
  }

  async purge(now = Date.now()): Promise<number> {
    return (await this.challenges.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
