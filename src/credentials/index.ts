/**
 * Passport's credentials library, isomorphic (browser pages, CLI agent, relying-party SDK, tests):
 * WebCrypto + jose + @sd-jwt, no node:crypto. The contract is in the issue 9 brief; in short:
 *
 *   keys.ts         holder and verifier key pairs; holder private keys wrapped under the vault key
 *   seal.ts         JSON sealed to a P-256 key (compact JWE, ECDH-ES+A256KW, A256GCM, typed)
 *   claims.ts       what an attestation says about a document, derived claims, vct names
 *   issue.ts        SD-JWT VC issuance (dc+sd-jwt, one disclosure per claim, cnf, status)
 *   status-list.ts  Token Status List: new, revoke, read, verify
 *   present.ts      selective disclosure + key-binding JWT; reading a credential for display
 *   verify.ts       verifying a presentation, with a precise reason for each failure
 */
export { CredentialError } from "./errors.js";
export {
  type HolderKeys,
  type PublicJwks,
  type PrivateJwks,
  type VerifierPrivateKeys,
  SIGNING_ALG,
  ENCRYPTION_ALG,
  CONTENT_ENC,
  generateHolderKeys,
  unwrapHolderKeys,
  generateVerifierKeys,
  importVerifierKeys,
  importSigningKey,
  importEncryptionKey,
  importVerifyKey,
  publicJwk,
} from "./keys.js";
export { SUBMISSION_TYP, CREDENTIAL_TYP, VERIFIER_KEYS_TYP, sealJson, openJson, sealVerifierKeys, openVerifierKeys } from "./seal.js";
export { type Verification, type Evidence, type DerivedClaim, AGE_THRESHOLDS, DERIVED_CLAIMS, vctFor, typeOfVct, ageAt, derivedClaims, documentClaims } from "./claims.js";
export { type IssueInput, SD_JWT_VC_TYP, EVIDENCE_DISCLOSABLE, issueCredential } from "./issue.js";
export { type StatusListAccessor, STATUS_LIST_TYP, STATUS_VALID, STATUS_REVOKED, newStatusListToken, revokeInStatusListToken, readStatusListToken, verifyStatusListToken } from "./status-list.js";
export { type PresentOptions, type CredentialSummary, presentCredential, inspectCredential } from "./present.js";
export { type VerifyOptions, type VerifyResult, type VerifyReason, VERIFY_REASONS, verifyPresentation } from "./verify.js";
