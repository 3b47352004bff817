/**
 * Account-level recipes built on the key hierarchy: what a browser (or the CLI, or a test) sends
 * to sign up, sign in, change the password and recover with the recovery key. One place, so every
 * client derives exactly the same way.
 */
import { DEFAULT_KDF_FLOOR, newKdfParams, type KdfParams } from "./kdf-params.js";
import { derivePasswordKeys } from "./password.js";
import { generateRecoveryKey, deriveRecoveryKeys } from "./recovery-key.js";
import { generateVaultKey, unwrapVaultKey, wrapVaultKey } from "./vault-key.js";

export interface PasswordMaterial {
  kdf: KdfParams;
  authKey: string;
  wrappedVaultKey: string;
}

export interface SignUpMaterial extends PasswordMaterial {
  recoveryAuthKey: string;
  recoveryWrappedVaultKey: string;
}

/** Everything a new account needs. `recoveryKey` is for the holder's eyes only, never sent. */
export async function createAccountMaterial(
  password: string,
  iterations: number,
  floor: number = DEFAULT_KDF_FLOOR,
): Promise<{ body: SignUpMaterial; recoveryKey: string; vaultKey: CryptoKey }> {
  const vaultKey = await generateVaultKey();
  const recoveryKey = generateRecoveryKey();
  const recovery = await deriveRecoveryKeys(recoveryKey);
  const pw = await passwordMaterial(password, iterations, vaultKey, floor);
  return {
    body: { ...pw, recoveryAuthKey: recovery.authKey, recoveryWrappedVaultKey: await wrapVaultKey(vaultKey, recovery.kek, "recovery") },
    recoveryKey,
    vaultKey,
  };
}

/**
 * Fresh salt and wrapped vault key for a (new) password. `vaultKey` must be extractable. New
 * parameters are this code's own choice, so a count below the floor is raised to it, not refused.
 */
export async function passwordMaterial(password: string, iterations: number, vaultKey: CryptoKey, floor: number = DEFAULT_KDF_FLOOR): Promise<PasswordMaterial> {
  const kdf = newKdfParams(Math.max(iterations, floor));
  const { authKey, kek } = await derivePasswordKeys(password, kdf, floor);
  return { kdf, authKey, wrappedVaultKey: await wrapVaultKey(vaultKey, kek, "password") };
}

/** Opens the vault key with the password; extractable only when it must be re-wrapped. */
export async function openVaultWithPassword(password: string, kdf: KdfParams, wrapped: string, extractable = false, floor: number = DEFAULT_KDF_FLOOR): Promise<CryptoKey> {
  const { kek } = await derivePasswordKeys(password, kdf, floor);
  return unwrapVaultKey(wrapped, kek, "password", { extractable });
}

/** Opens the vault key with the recovery key, extractable so it can be re-wrapped under a new password. */
export async function openVaultWithRecoveryKey(recoveryKey: string, wrapped: string): Promise<CryptoKey> {
  const { kek } = await deriveRecoveryKeys(recoveryKey);
  return unwrapVaultKey(wrapped, kek, "recovery", { extractable: true });
}
