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

// The account console (src/routes/account-console.ts).
/** A WebAuthn credential id or binary field as the browser's JSON carries it. */
const webauthnB64u = (max: number) => b64u(1, max);
const clientExtensionResults = z.record(z.string(), z.unknown()).default({});
/** The fields every WebAuthn credential answer has, whatever the ceremony. */
const credentialFields = {
  id: webauthnB64u(1400),
  rawId: webauthnB64u(1400),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults,
};
/** What @simplewebauthn/browser's startRegistration() answers (RegistrationResponseJSON). */
export const registrationResponse = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: webauthnB64u(4096),
    attestationObject: webauthnB64u(16_384),
    authenticatorData: webauthnB64u(4096).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: webauthnB64u(4096).optional(),
  }),
});
/** What startAuthentication() answers (AuthenticationResponseJSON). */
export const authenticationResponse = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: webauthnB64u(4096),
    authenticatorData: webauthnB64u(4096),
    signature: webauthnB64u(1024),
    userHandle: webauthnB64u(512).optional(),
  }),
});
export const passkeyName = z.string().trim().min(1, "give the passkey a name").max(64, "at most 64 characters");
export const passkeySignInBody = z.object({ response: authenticationResponse });
export const passkeyRegisterBody = z.object({ name: passkeyName, response: registrationResponse });
export const emailCodeBody = z.object({ email });
export const changeEmailBody = z.object({ email, code: z.string().trim().regex(/^\d{6}$/, "enter the 6 digits from the mail"), currentAuthKey: authKey });
