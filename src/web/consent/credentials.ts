// The holder's verifier attestations for the consent page: the list (public metadata), the holder
// keys (unwrapped with the vault key: the encryption key opens the sealed credentials, the signing
// key binds each presentation to this client), and the active verifiers, for "get it verified"
// links. An account without credentials needs none of the keys; endpoints that do not answer
// (an older server) leave the page working as it did, with nothing verified.
import { unwrapHolderKeys } from "../../credentials/index.js";
import { openCredentials, type OpenedCredential } from "../../sharing/credentials.js";
import type { HeldCredential, PublicVerifier } from "../../sharing/verified.js";
import { api, ApiError } from "../_api.js";

export interface HolderCredentials {
  credentials: OpenedCredential[];
  /** Credentials that did not open here, with why (shown, never shared). */
  failed: { meta: HeldCredential; error: string }[];
  signingKey: CryptoKey | null;
  verifiers: PublicVerifier[];
}

async function optional<T>(path: string, fallback: T): Promise<T> {
  try {
    return await api<T>("GET", path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return fallback;
    throw err;
  }
}

const listOf = <T>(body: unknown, key: string): T[] => (Array.isArray(body) ? body : Array.isArray((body as Record<string, unknown>)?.[key]) ? ((body as Record<string, unknown>)[key] as T[]) : []);

export async function loadHolderCredentials(vaultKey: CryptoKey): Promise<HolderCredentials> {
  const [metasBody, verifiersBody] = await Promise.all([optional<unknown>("/api/vault/credentials", []), optional<unknown>("/api/verifiers", [])]);
  // A credential whose verifier is gone (null) cannot be described to the holder: it is not offered.
  const metas = listOf<HeldCredential>(metasBody, "credentials").filter((c) => c.verifier);
  const verifiers = listOf<PublicVerifier>(verifiersBody, "verifiers");
  if (!metas.length) return { credentials: [], failed: [], signingKey: null, verifiers };
  const stored = await optional<{ wrapped?: string; holderKeys?: { wrapped: string } } | null>("/api/vault/holder-keys", null);
  const wrapped = stored?.wrapped ?? stored?.holderKeys?.wrapped;
  if (!wrapped) return { credentials: [], failed: metas.map((meta) => ({ meta, error: "this browser has no holder keys to open it" })), signingKey: null, verifiers };
  const { account } = await api<{ account: { id: string } }>("GET", "/api/account");
  const keys = await unwrapHolderKeys(vaultKey, wrapped as never, account.id);
  const { opened, failed } = await openCredentials(keys.encryptionKey, metas);
  return { credentials: opened, failed, signingKey: keys.signingKey, verifiers };
}
