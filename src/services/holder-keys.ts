// A holder's key pairs: public halves in the clear (verifiers bind credentials to the signing key
// and seal them to the encryption key), private halves wrapped under the vault key in the browser.
import type { HolderKeyStore } from "../db/holder-keys.js";
import { ConflictError, ValidationError } from "../errors.js";
import { type PublicEcJwk, stripJwk } from "./public-jwk.js";

export interface HolderKeysView {
  signingJwk: Record<string, string>;
  encryptionJwk: Record<string, string>;
  wrapped: string;
  createdAt: number;
}

export class HolderKeyService {
  constructor(private readonly store: HolderKeyStore) {}

  async get(accountId: string): Promise<HolderKeysView | null> {
    const row = await this.store.get(accountId);
    return row ? { signingJwk: JSON.parse(row.signingJwk), encryptionJwk: JSON.parse(row.encryptionJwk), wrapped: row.wrapped, createdAt: row.createdAt } : null;
  }

  /** Set once: a second set-up (another tab) gets 409 and opens the stored keys instead. */
  async put(accountId: string, input: { signingJwk: PublicEcJwk; encryptionJwk: PublicEcJwk; wrapped: string }): Promise<HolderKeysView> {
    if (input.signingJwk.x === input.encryptionJwk.x) throw new ValidationError("the signing and encryption keys must differ", { encryptionJwk: "is the signing key" });
    const row = { accountId, signingJwk: JSON.stringify(stripJwk(input.signingJwk)), encryptionJwk: JSON.stringify(stripJwk(input.encryptionJwk)), wrapped: input.wrapped, createdAt: Date.now() };
    if (!(await this.store.insert(row))) throw new ConflictError("This account has holder keys already: open them instead.");
    return (await this.get(accountId))!;
  }

  delete(accountId: string): Promise<void> {
    return this.store.delete(accountId);
  }
}
