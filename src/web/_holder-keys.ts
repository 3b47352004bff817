// The holder's own key pairs (signing: the `cnf` key of attestations and the key-binding JWTs;
// encryption: what verifiers seal credentials to). Made in this browser, their private halves
// wrapped under the vault key before they go to the server, so recovery and password changes
// (which re-wrap only the vault key) keep them. Every page that needs them calls holderKeys():
// it fetches and opens them, or, for an account that has none yet (made before holder keys
// existed, or a sign-up that stopped before storing them), makes them now.
import { generateHolderKeys, unwrapHolderKeys, type HolderKeys } from "../credentials/keys.js";
import type { JWK } from "jose";
import { api, ApiError } from "./_api.js";

/** What `GET /api/vault/holder-keys` answers: the public keys and the wrapped private ones. */
interface StoredHolderKeys {
  signingJwk: JWK;
  encryptionJwk: JWK;
  wrapped: string;
}

/** The stored keys, or null when this account has none yet. */
async function fetchStored(): Promise<StoredHolderKeys | null> {
  try {
    const body = await api<Partial<StoredHolderKeys> | { holderKeys: StoredHolderKeys | null } | null>("GET", "/api/vault/holder-keys");
    const stored = body && "holderKeys" in body ? body.holderKeys : (body as Partial<StoredHolderKeys> | null);
    return stored?.wrapped ? (stored as StoredHolderKeys) : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

async function accountId(): Promise<string> {
  const { account } = await api<{ account: { id: string } }>("GET", "/api/account");
  return account.id;
}

/**
 * Makes the key pairs and stores them. Two tabs may race here: the server keeps the first
 * (compare-and-set, 409 for the second), and the loser opens the winner's keys instead.
 */
export async function createHolderKeys(vaultKey: CryptoKey, id: string): Promise<HolderKeys> {
  const made = await generateHolderKeys(vaultKey, id);
  try {
    await api("PUT", "/api/vault/holder-keys", { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped });
    return made.keys;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    const stored = await fetchStored();
    if (!stored) throw err;
    return unwrapHolderKeys(vaultKey, stored.wrapped, id);
  }
}

let cached: { vaultKey: CryptoKey; keys: Promise<HolderKeys> } | null = null;

/** This holder's keys, opened with the vault key (made and stored first if the account has none). */
export function holderKeys(vaultKey: CryptoKey): Promise<HolderKeys> {
  if (cached?.vaultKey === vaultKey) return cached.keys;
  const keys = (async () => {
    const [stored, id] = await Promise.all([fetchStored(), accountId()]);
    return stored ? unwrapHolderKeys(vaultKey, stored.wrapped, id) : createHolderKeys(vaultKey, id);
  })();
  cached = { vaultKey, keys };
  // A failure is not remembered: the next call tries again.
  keys.catch(() => {
    if (cached?.keys === keys) cached = null;
  });
  return keys;
}

/** Makes the keys if this account has none yet; cheaper than holderKeys() when they exist (nothing is opened). */
export async function ensureHolderKeys(vaultKey: CryptoKey): Promise<void> {
  if (!(await fetchStored())) await holderKeys(vaultKey);
}
