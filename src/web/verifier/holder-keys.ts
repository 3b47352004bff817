// The member's own holder keys: the encryption key opens the verifier's keys sealed to this
// member. A member who never had holder keys gets them here, made the way the vault makes them
// (generated in this browser, private halves wrapped under the vault key before upload).
import { generateHolderKeys, unwrapHolderKeys, type HolderKeys } from "../../credentials/index.js";
import { api, ApiError } from "../_api.js";

interface StoredHolderKeys {
  signingJwk: unknown;
  encryptionJwk: unknown;
  wrapped: string;
}

async function stored(): Promise<StoredHolderKeys | null> {
  try {
    const r = await api<StoredHolderKeys | { holderKeys: StoredHolderKeys | null } | null>("GET", "/api/vault/holder-keys");
    if (r && "holderKeys" in r) return r.holderKeys;
    return r && "wrapped" in r ? r : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export async function holderKeys(vaultKey: CryptoKey, accountId: string): Promise<HolderKeys> {
  const have = await stored();
  if (have) return unwrapHolderKeys(vaultKey, have.wrapped, accountId);
  const made = await generateHolderKeys(vaultKey, accountId);
  try {
    await api("PUT", "/api/vault/holder-keys", { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped });
  } catch (err) {
    // Made at the same moment in another tab: use the keys that won.
    if (err instanceof ApiError && err.status === 409) {
      const winner = await stored();
      if (winner) return unwrapHolderKeys(vaultKey, winner.wrapped, accountId);
    }
    throw err;
  }
  return made.keys;
}
