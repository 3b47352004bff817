/**
 * Isomorphic key hierarchy for Passport (browser, CLI, SDK, tests), WebCrypto only.
 *
 *   password ──PBKDF2──▶ master ──HKDF "passport/auth/v1"──▶ authKey (sent to the server)
 *                                └─HKDF "passport/vault/v1"─▶ kek ─┐
 *                                                                  ├─wraps─▶ vault key ─wraps─▶ item keys
 *   recovery key ──────────────┬─HKDF "passport/recovery/v1"─▶ kek ─┘
 *                              └─HKDF "passport/recovery-auth/v1"─▶ recovery authKey
 */
export { CryptoError, CryptoInputError } from "./errors.js";
export { b64uEncode, b64uDecode } from "./base64url.js";
export { randomBytes } from "./random.js";
export {
  type KdfParams,
  DEFAULT_KDF_ITERATIONS,
  KDF_ITERATIONS_MIN,
  KDF_ITERATIONS_MAX,
  KDF_SALT_MIN_BYTES,
  KDF_SALT_MAX_BYTES,
  KDF_ITERATIONS_FLOOR,
  DEFAULT_KDF_FLOOR,
  KdfFloorError,
  checkKdfFloor,
  newKdfParams,
  isValidKdfParams,
} from "./kdf-params.js";
export {
  AUTH_INFO,
  VAULT_INFO,
  normalizePassword,
  deriveMasterKey,
  deriveAuthKey,
  deriveKek,
  derivePasswordKeys,
} from "./password.js";
export {
  type WrapPurpose,
  WRAP_VERSION,
  generateVaultKey,
  wrapVaultKey,
  unwrapVaultKey,
} from "./vault-key.js";
export {
  RECOVERY_KEY_BYTES,
  RECOVERY_AUTH_INFO,
  RECOVERY_INFO,
  generateRecoveryKey,
  normalizeRecoveryKey,
  deriveRecoveryKeys,
} from "./recovery-key.js";
export { CROCKFORD_ALPHABET, crockfordEncode } from "./crockford.js";
export {
  type PasswordMaterial,
  type SignUpMaterial,
  createAccountMaterial,
  passwordMaterial,
  openVaultWithPassword,
  openVaultWithRecoveryKey,
} from "./account.js";
export {
  type ItemRef,
  type SealedItem,
  type SealedFile,
  sealItem,
  openItem,
  sealFile,
  openFile,
  openFileWithKey,
  wrapItemKey,
  unwrapItemKey,
  sha256Hex,
} from "./envelope.js";
