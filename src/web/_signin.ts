// The sign-in recipe, apart from the page so it can be tested as it is: ask for the account's
// KDF parameters, refuse them below the built-in floor, send only the authKey, open the vault key,
// and, when the account still derives with fewer iterations than the server now asks of new
// accounts, re-wrap it at the current cost while the password is at hand (finding 9).
import { checkKdfFloor, DEFAULT_KDF_FLOOR, derivePasswordKeys, passwordMaterial, unwrapVaultKey, type KdfParams } from "../crypto/index.js";

/** The page's `api()` (src/web/_api.ts), or a test's stand-in. */
export type ApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Answers the server's passkey challenge (the second factor of an account with passkeys): the
 * browser's WebAuthn prompt by default, a test's stand-in otherwise.
 */
export type PasskeyPrompt = (options: unknown) => Promise<unknown>;

const browserPasskey: PasskeyPrompt = async (options) => {
  const { startAuthentication } = await import("@simplewebauthn/browser");
  return startAuthentication({ optionsJSON: options as Parameters<typeof startAuthentication>[0]["optionsJSON"] });
};

type SessionAnswer = { wrappedVaultKey: string; account: { recoveryKeyConfirmed: boolean } } | { secondFactor: "passkey"; options: unknown };

export interface SignedIn {
  vaultKey: CryptoKey;
  /** True when the account's KDF cost was raised on the way. */
  upgraded: boolean;
  /** False for an account whose recovery key still waits for confirmation. */
  recoveryKeyConfirmed: boolean;
}

export async function signInWithPassword(api: ApiCall, email: string, password: string, floor = DEFAULT_KDF_FLOOR, passkey: PasskeyPrompt = browserPasskey): Promise<SignedIn> {
  const { kdf, minIterations } = await api<{ kdf: KdfParams; minIterations: number }>("POST", "/api/prelogin", { email });
  // Before any derivation and before the password-derived key leaves this page.
  checkKdfFloor(kdf, floor);
  const { authKey, kek } = await derivePasswordKeys(password, kdf, floor);
  let answer = await api<SessionAnswer>("POST", "/api/session", { email, authKey });
  // The password was right and the account has passkeys: one of them must answer too. The vault
  // key still comes from the password (the kek above); the passkey only unlocks the session.
  if ("secondFactor" in answer) answer = await api<SessionAnswer>("POST", "/api/session/passkey", { response: await passkey(answer.options) });
  if (!("wrappedVaultKey" in answer)) throw new Error("the server asked for a second passkey");
  const { wrappedVaultKey } = answer;
  const recoveryKeyConfirmed = answer.account.recoveryKeyConfirmed;
  const stale = Number.isInteger(minIterations) && kdf.iterations < minIterations;
  // Extractable only when it must be re-wrapped; the page keeps a non-extractable copy.
  const vaultKey = await unwrapVaultKey(wrappedVaultKey, kek, "password", { extractable: stale });
  if (!stale) return { vaultKey, upgraded: false, recoveryKeyConfirmed };
  try {
    // Same password, fresh salt, today's cost; the server re-wraps and keeps every session.
    const next = await passwordMaterial(password, minIterations, vaultKey, floor);
    await api("POST", "/api/account/kdf", { currentAuthKey: authKey, ...next });
    return { vaultKey, upgraded: true, recoveryKeyConfirmed };
  } catch {
    // The sign-in itself succeeded; the upgrade is tried again at the next one.
    return { vaultKey, upgraded: false, recoveryKeyConfirmed };
  }
}
