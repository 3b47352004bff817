// Input shapes of the account API. The server checks the form of keys and wrapped blobs, never
// their content (it cannot read them).
import { z } from "zod";

const b64u = (min: number, max: number) =>
  z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+$/, "must be base64url");

export const email = z.string().trim().max(320, "email is too long").email("enter a valid email address");
/** 32 bytes, base64url. */
export const authKey = b64u(43, 43);
/** `v1.<iv>.<ciphertext>` as src/crypto writes it. */
export const wrappedKey = z.string().max(200).regex(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/, "is not a wrapped key");
export const kdfParams = z.object({
  alg: z.literal("pbkdf2-sha256"),
  iterations: z.number().int().min(1).max(10_000_000),
  salt: b64u(22, 86),
});

const passwordCredentials = { kdf: kdfParams, authKey, wrappedVaultKey: wrappedKey };

export const preloginBody = z.object({ email });
export const signUpBody = z.object({
  email,
  ...passwordCredentials,
  recoveryAuthKey: authKey,
  recoveryWrappedVaultKey: wrappedKey,
});
export const signInBody = z.object({ email, authKey });
export const changePasswordBody = z.object({ currentAuthKey: authKey, ...passwordCredentials });
export const recoveryStartBody = z.object({ email, recoveryAuthKey: authKey });
export const recoveryFinishBody = z.object({ email, recoveryAuthKey: authKey, ...passwordCredentials });
export const deleteAccountBody = z.object({ authKey });
export const newRecoveryKeyBody = z.object({ currentAuthKey: authKey, recoveryAuthKey: authKey, recoveryWrappedVaultKey: wrappedKey });
export const confirmRecoveryKeyBody = z.object({ recoveryAuthKey: authKey });
