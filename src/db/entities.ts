// Table definitions as TypeORM EntitySchemas: explicit column types, no decorators, so the same
// code runs under tsx/esbuild and tsc, on SQLite and PostgreSQL. Times are epoch milliseconds in
// bigint columns (one representation on both databases); see `epochMs` for the pg string case.
import { EntitySchema, type ValueTransformer } from "typeorm";

/** pg returns bigint as a string; SQLite as a number. Both become a number here. */
export const epochMs: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
const time = (nullable = false) => ({ type: "bigint" as const, nullable, transformer: epochMs });

export interface OidcPayloadRow {
  kind: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  accountId: string | null;
  /** The client the artifact belongs to: a disabled or deleted client's artifacts are not found. */
  clientId: string | null;
  expiresAt: number | null;
  consumedAt: number | null;
}
export const OidcPayloadEntity = new EntitySchema<OidcPayloadRow>({
  name: "OidcPayload",
  tableName: "oidc_payloads",
  columns: {
    kind: { type: "varchar", length: 64, primary: true },
    id: { type: "varchar", length: 255, primary: true },
    payload: { type: "text" },
    grantId: { name: "grant_id", type: "varchar", length: 255, nullable: true },
    userCode: { name: "user_code", type: "varchar", length: 255, nullable: true },
    uid: { type: "varchar", length: 255, nullable: true },
    accountId: { name: "account_id", type: "varchar", length: 64, nullable: true },
    clientId: { name: "client_id", type: "varchar", length: 255, nullable: true },
    expiresAt: { name: "expires_at", ...time(true) },
    consumedAt: { name: "consumed_at", ...time(true) },
  },
});

export interface ClientRow {
  clientId: string;
  name: string;
  metadata: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  /** May the client receive Passport scopes: 'approved', or 'pending' / 'rejected' by an administrator. */
  approval?: "approved" | "pending" | "rejected";
  /** What the client says it uses Passport data for (shown to the admin and on the consent page). */
  purpose?: string | null;
  /** Why an administrator rejected it, for its developer. */
  approvalReason?: string | null;
}
export const ClientEntity = new EntitySchema<ClientRow>({
  name: "Client",
  tableName: "clients",
  columns: {
    clientId: { name: "client_id", type: "varchar", length: 255, primary: true },
    name: { type: "varchar", length: 255 },
    metadata: { type: "text" },
    enabled: { type: "boolean", default: true },
    createdAt: { name: "created_at", ...time() },
    updatedAt: { name: "updated_at", ...time() },
    approval: { type: "varchar", length: 16, default: "approved" },
    purpose: { type: "text", nullable: true },
    approvalReason: { name: "approval_reason", type: "text", nullable: true },
  },
});

export interface AccountRow {
  id: string;
  email: string;
  emailNormalized: string;
  authHash: string;
  kdf: string;
  wrappedVaultKey: string;
  recoveryAuthHash: string;
  recoveryWrappedVaultKey: string;
  /** When the holder proved they kept the recovery key; null: the account is not usable yet. */
  recoveryConfirmedAt: number | null;
  /** A new recovery key waiting for the holder's confirmation (then it replaces the current one). */
  pendingRecoveryAuthHash: string | null;
  pendingRecoveryWrappedVaultKey: string | null;
  isAdmin: boolean;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
}
export const AccountEntity = new EntitySchema<AccountRow>({
  name: "Account",
  tableName: "accounts",
  columns: {
    id: { type: "varchar", length: 64, primary: true },
    email: { type: "varchar", length: 320 },
    emailNormalized: { name: "email_normalized", type: "varchar", length: 320, unique: true },
    authHash: { name: "auth_hash", type: "varchar", length: 255 },
    kdf: { type: "text" },
    wrappedVaultKey: { name: "wrapped_vault_key", type: "text" },
    recoveryAuthHash: { name: "recovery_auth_hash", type: "varchar", length: 255 },
    recoveryWrappedVaultKey: { name: "recovery_wrapped_vault_key", type: "text" },
    recoveryConfirmedAt: { name: "recovery_confirmed_at", ...time(true) },
    pendingRecoveryAuthHash: { name: "pending_recovery_auth_hash", type: "varchar", length: 255, nullable: true },
    pendingRecoveryWrappedVaultKey: { name: "pending_recovery_wrapped_vault_key", type: "text", nullable: true },
    isAdmin: { name: "is_admin", type: "boolean", default: false },
    createdAt: { name: "created_at", ...time() },
    updatedAt: { name: "updated_at", ...time() },
    passwordChangedAt: { name: "password_changed_at", ...time() },
  },
});

export interface AppSessionRow {
  idHash: string;
  accountId: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  /** The client address last seen, the browser's user agent (cut to 300), for the sessions list. */
  ip: string | null;
  userAgent: string | null;
  lastSeenAt: number | null;
  /** storedId() of the oidc-provider Session this browser holds, ended with this session. */
  providerSession: string | null;
}
export const AppSessionEntity = new EntitySchema<AppSessionRow>({
  name: "AppSession",
  tableName: "app_sessions",
  columns: {
    idHash: { name: "id_hash", type: "varchar", length: 64, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    authTime: { name: "auth_time", ...time() },
    createdAt: { name: "created_at", ...time() },
    expiresAt: { name: "expires_at", ...time() },
    ip: { type: "varchar", length: 64, nullable: true },
    userAgent: { name: "user_agent", type: "varchar", length: 300, nullable: true },
    lastSeenAt: { name: "last_seen_at", ...time(true) },
    providerSession: { name: "provider_session", type: "varchar", length: 64, nullable: true },
  },
  indices: [{ name: "idx_app_sessions_account", columns: ["accountId"] }],
});

/** One sign-in attempt on a known account, for the holder's history (kept SIGNIN_HISTORY_DAYS). */
export interface SignInEventRow {
  id: string;
  accountId: string;
  at: number;
  outcome: "success" | "failure" | "locked";
  method: "password" | "passkey" | "recovery";
  ip: string;
  userAgent: string | null;
}
export const SignInEventEntity = new EntitySchema<SignInEventRow>({
  name: "SignInEvent",
  tableName: "sign_in_events",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    at: { ...time() },
    outcome: { type: "varchar", length: 16 },
    method: { type: "varchar", length: 16 },
    ip: { type: "varchar", length: 64 },
    userAgent: { name: "user_agent", type: "varchar", length: 300, nullable: true },
  },
  indices: [
    { name: "idx_sign_in_events_account_at", columns: ["accountId", "at"] },
    { name: "idx_sign_in_events_at", columns: ["at"] },
  ],
});

/** A WebAuthn credential registered as a second factor (public key only). */
export interface PasskeyRow {
  id: string;
  accountId: string;
  /** base64url, as the browser reports it. */
  credentialId: string;
  /** base64url of the COSE public key. */
  publicKey: string;
  counter: number;
  /** JSON array of transports ("internal", "usb", ...). */
  transports: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}
export const PasskeyEntity = new EntitySchema<PasskeyRow>({
  name: "Passkey",
  tableName: "passkeys",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    credentialId: { name: "credential_id", type: "varchar", length: 1400, unique: true },
    publicKey: { name: "public_key", type: "text" },
    counter: { type: "bigint", transformer: epochMs },
    transports: { type: "varchar", length: 200 },
    name: { type: "varchar", length: 64 },
    createdAt: { name: "created_at", ...time() },
    lastUsedAt: { name: "last_used_at", ...time(true) },
  },
  indices: [{ name: "idx_passkeys_account", columns: ["accountId"] }],
});

/** A WebAuthn challenge, used once: a registration's, or a sign-in's after the right password. */
export interface WebauthnChallengeRow {
  idHash: string;
  accountId: string;
  purpose: "register" | "signin";
  challenge: string;
  expiresAt: number;
}
export const WebauthnChallengeEntity = new EntitySchema<WebauthnChallengeRow>({
  name: "WebauthnChallenge",
  tableName: "webauthn_challenges",
  columns: {
    idHash: { name: "id_hash", type: "varchar", length: 64, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    purpose: { type: "varchar", length: 16 },
    challenge: { type: "varchar", length: 128 },
    expiresAt: { name: "expires_at", ...time() },
  },
  indices: [{ name: "idx_webauthn_challenges_expires_at", columns: ["expiresAt"] }],
});

/** An atomic attempt counter (src/db/attempt-counters.ts): sign-ins, sign-ups, code sends, ... */
export interface AttemptCounterRow {
  key: string;
  hits: number;
  blockedUntil: number;
  expiresAt: number;
}
export const AttemptCounterEntity = new EntitySchema<AttemptCounterRow>({
  name: "AttemptCounter",
  tableName: "attempt_counters",
  columns: {
    key: { type: "varchar", length: 400, primary: true },
    hits: { type: "integer" },
    blockedUntil: { name: "blocked_until", ...time() },
    expiresAt: { name: "expires_at", ...time() },
  },
  indices: [{ name: "idx_attempt_counters_expires", columns: ["expiresAt"] }],
});

export interface ServerKeyRow {
  kid: string;
  use: string;
  alg: string;
  status: string;
  publicJwk: string | null;
  privateData: string;
  createdAt: number;
  retiredAt: number | null;
}
/** Signing keys, cookie keys and server secrets. `privateData` may be encrypted (keyring.ts). */
export const ServerKeyEntity = new EntitySchema<ServerKeyRow>({
  name: "ServerKey",
  tableName: "server_keys",
  columns: {
    kid: { type: "varchar", length: 128, primary: true },
    use: { type: "varchar", length: 32 },
    alg: { type: "varchar", length: 32 },
    status: { type: "varchar", length: 16 },
    publicJwk: { name: "public_jwk", type: "text", nullable: true },
    privateData: { name: "private_data", type: "text" },
    createdAt: { name: "created_at", ...time() },
    retiredAt: { name: "retired_at", ...time(true) },
  },
});


export interface VaultItemRow {
  id: string;
  accountId: string;
  type: string;
  version: number;
  ciphertext: string;
  wrappedKey: string;
  size: number;
  verification: string;
  /** Problems relying parties reported (JSON), cleared when the item changes. */
  errors: string | null;
  createdAt: number;
  updatedAt: number;
}
/** One sealed document per type and holder. The server sees type, version, size, times, state. */
export const VaultItemEntity = new EntitySchema<VaultItemRow>({
  name: "VaultItem",
  tableName: "vault_items",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    type: { type: "varchar", length: 40 },
    version: { type: "integer" },
    ciphertext: { type: "text" },
    wrappedKey: { name: "wrapped_key", type: "varchar", length: 200 },
    size: { type: "integer" },
    verification: { type: "varchar", length: 20, default: "unverified" },
    errors: { type: "text", nullable: true },
    createdAt: { name: "created_at", ...time() },
    updatedAt: { name: "updated_at", ...time() },
  },
});

export interface VaultFileRow {
  id: string;
  accountId: string;
  itemId: string | null;
  blobHash: string;
  size: number;
  wrappedKey: string;
  createdAt: number;
}
/** A sealed scan or thumbnail: which holder and item it belongs to, where its blob is. */
export const VaultFileEntity = new EntitySchema<VaultFileRow>({
  name: "VaultFile",
  tableName: "vault_files",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    itemId: { name: "item_id", type: "varchar", length: 36, nullable: true },
    blobHash: { name: "blob_hash", type: "varchar", length: 64 },
    size: { type: "bigint", transformer: epochMs },
    wrappedKey: { name: "wrapped_key", type: "varchar", length: 200 },
    createdAt: { name: "created_at", ...time() },
  },
});

export interface VaultReservationRow {
  id: string;
  accountId: string;
  bytes: number;
  expiresAt: number;
}
/** Room held for an upload in progress (src/db/vault.ts): counted against the quota until it ends or expires. */
export const VaultReservationEntity = new EntitySchema<VaultReservationRow>({
  name: "VaultReservation",
  tableName: "vault_reservations",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    bytes: { type: "bigint", transformer: epochMs },
    expiresAt: { name: "expires_at", ...time() },
  },
});

export interface VaultQuotaLockRow {
  accountId: string;
  lockedAt: number;
}
/** One row per holder, locked while a quota decision is made, so decisions about one vault take turns. */
export const VaultQuotaLockEntity = new EntitySchema<VaultQuotaLockRow>({
  name: "VaultQuotaLock",
  tableName: "vault_quota_locks",
  columns: {
    accountId: { name: "account_id", type: "varchar", length: 64, primary: true },
    lockedAt: { name: "locked_at", ...time() },
  },
});

export interface BlobRow {
  hash: string;
  data: Buffer;
  size: number;
}
/** Blob bytes for the database blob store (BLOB_STORE=database, for many servers). */
export function blobEntity(db: "sqlite" | "postgres") {
  return new EntitySchema<BlobRow>({
    name: "Blob",
    tableName: "blobs",
    columns: {
      hash: { type: "varchar", length: 64, primary: true },
      data: { type: db === "postgres" ? "bytea" : "blob" },
      size: { type: "integer" },
    },
  });
}


export interface EmailCodeRow {
  accountId: string;
  emailHash: string;
  codeHash: string;
  attempts: number;
  sentAt: number;
  expiresAt: number;
}
/** One-time codes for email verification; the address is kept only as an HMAC. */
export const EmailCodeEntity = new EntitySchema<EmailCodeRow>({
  name: "EmailCode",
  tableName: "email_codes",
  columns: {
    accountId: { name: "account_id", type: "varchar", length: 64, primary: true },
    emailHash: { name: "email_hash", type: "varchar", length: 64, primary: true },
    codeHash: { name: "code_hash", type: "varchar", length: 64 },
    attempts: { type: "integer" },
    sentAt: { name: "sent_at", ...time() },
    expiresAt: { name: "expires_at", ...time() },
  },
});


export interface ShareRow {
  grantId: string;
  accountId: string;
  clientId: string;
  jwe: string;
  types: string;
  fileIds: string;
  createdAt: number;
}
/** The sealed payload of a grant's latest authorization (the server cannot open it). */
export const ShareEntity = new EntitySchema<ShareRow>({
  name: "Share",
  tableName: "shares",
  columns: {
    grantId: { name: "grant_id", type: "varchar", length: 255, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    clientId: { name: "client_id", type: "varchar", length: 255 },
    jwe: { type: "text" },
    types: { type: "text" },
    fileIds: { name: "file_ids", type: "text" },
    createdAt: { name: "created_at", ...time() },
  },
  indices: [{ name: "idx_shares_account", columns: ["accountId"] }],
});

export interface ShareLogRow {
  id: string;
  accountId: string;
  clientId: string;
  clientName: string;
  types: string;
  createdAt: number;
}
/** The holder's share log: who got which document types when. Never content. */
export const ShareLogEntity = new EntitySchema<ShareLogRow>({
  name: "ShareLog",
  tableName: "share_log",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    clientId: { name: "client_id", type: "varchar", length: 255 },
    clientName: { name: "client_name", type: "varchar", length: 255 },
    types: { type: "text" },
    createdAt: { name: "created_at", ...time() },
  },
  indices: [{ name: "idx_share_log_account", columns: ["accountId"] }],
});

export interface PlaygroundClientRow {
  clientId: string;
  createdAt: number;
  expiresAt: number;
}
/** Short-lived public clients the playground page registers for a key pair held in the visitor's browser. */
export const PlaygroundClientEntity = new EntitySchema<PlaygroundClientRow>({
  name: "PlaygroundClient",
  tableName: "playground_clients",
  columns: {
    clientId: { name: "client_id", type: "varchar", length: 255, primary: true },
    createdAt: { name: "created_at", ...time() },
    expiresAt: { name: "expires_at", ...time() },
  },
  indices: [{ name: "idx_playground_clients_expires", columns: ["expiresAt"] }],
});

export interface InstanceFlagRow {
  name: string;
  value: string | null;
  createdAt: number;
}
/** One-time claims for the whole instance ("first_account"): the primary key lets one INSERT win. */
export const InstanceFlagEntity = new EntitySchema<InstanceFlagRow>({
  name: "InstanceFlag",
  tableName: "instance_flags",
  columns: {
    name: { type: "varchar", length: 64, primary: true },
    value: { type: "varchar", length: 255, nullable: true },
    createdAt: { name: "created_at", ...time() },
  },
});

export interface AdminLinkRow {
  /** SHA-256 (hex) of the token; the token itself is only in the printed link. */
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
}
/** One-time links from `passport admin-link` that make the account opening them an admin. */
export const AdminLinkEntity = new EntitySchema<AdminLinkRow>({
  name: "AdminLink",
  tableName: "admin_links",
  columns: {
    tokenHash: { name: "token_hash", type: "varchar", length: 64, primary: true },
    createdAt: { name: "created_at", ...time() },
    expiresAt: { name: "expires_at", ...time() },
    usedAt: { name: "used_at", ...time(true) },
    usedBy: { name: "used_by", type: "varchar", length: 64, nullable: true },
  },
  indices: [{ name: "idx_admin_links_expires_at", columns: ["expiresAt"] }],
});

export interface ClientOwnerRow {
  clientId: string;
  accountId: string;
  addedAt: number;
}
/** Accounts that own a client registered in the developer console (see client-owners.ts). */
export const ClientOwnerEntity = new EntitySchema<ClientOwnerRow>({
  name: "ClientOwner",
  tableName: "client_owners",
  columns: {
    clientId: { name: "client_id", type: "varchar", length: 255, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64, primary: true },
    addedAt: { name: "added_at", ...time() },
  },
  indices: [{ name: "idx_client_owners_account", columns: ["accountId"] }],
});

export interface ClientChangeRow {
  id: string;
  clientId: string;
  at: number;
  actorAccountId: string | null;
  via: string;
  action: string;
  /** JSON array of the names of the fields changed: never their values (a secret would leak). */
  fields: string;
}
/** Every change to a client's registration; kept when the client is deleted (the audit trail). */
export const ClientChangeEntity = new EntitySchema<ClientChangeRow>({
  name: "ClientChange",
  tableName: "client_changes",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    clientId: { name: "client_id", type: "varchar", length: 255 },
    at: time(),
    actorAccountId: { name: "actor_account_id", type: "varchar", length: 64, nullable: true },
    via: { type: "varchar", length: 16 },
    action: { type: "varchar", length: 32 },
    fields: { type: "text" },
  },
  indices: [{ name: "idx_client_changes_client_at", columns: ["clientId", "at"] }],
});

export interface ClientDailyStatRow {
  clientId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** "signin", "error_report" or "share:<document type>". */
  kind: string;
  count: number;
}
/** Per-client activity counters, one row per day and kind, incremented by an upsert. */
export const ClientDailyStatEntity = new EntitySchema<ClientDailyStatRow>({
  name: "ClientDailyStat",
  tableName: "client_daily_stats",
  columns: {
    clientId: { name: "client_id", type: "varchar", length: 255, primary: true },
    day: { type: "varchar", length: 10, primary: true },
    kind: { type: "varchar", length: 64, primary: true },
    count: { type: "integer" },
  },
});

export interface ClientEventRow {
  id: string;
  clientId: string;
  at: number;
  /** "signin", "share", "error_report" or "failure". */
  kind: string;
  /** JSON: document types of a share, the number of errors reported, or an OAuth error. Never who. */
  detail: string;
}
/** A client's recent events, for its page; kept EVENT_RETENTION_DAYS (client-activity.ts). */
export const ClientEventEntity = new EntitySchema<ClientEventRow>({
  name: "ClientEvent",
  tableName: "client_events",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    clientId: { name: "client_id", type: "varchar", length: 255 },
    at: time(),
    kind: { type: "varchar", length: 16 },
    detail: { type: "text" },
  },
  indices: [
    { name: "idx_client_events_client_at", columns: ["clientId", "at"] },
    { name: "idx_client_events_at", columns: ["at"] },
  ],
});

export interface InitialAccessTokenRow {
  /** SHA-256 (hex) of the token; the token itself is shown once to the admin who made it. */
  tokenHash: string;
  /** Public handle for listing and revoking (not a secret). */
  id: string;
  createdAt: number;
  expiresAt: number;
  /** Registrations still allowed; null: unlimited until expiry. */
  usesLeft: number | null;
  used: number;
}
/** Initial access tokens for dynamic client registration (src/services/registration.ts). */
export const InitialAccessTokenEntity = new EntitySchema<InitialAccessTokenRow>({
  name: "InitialAccessToken",
  tableName: "initial_access_tokens",
  columns: {
    tokenHash: { name: "token_hash", type: "varchar", length: 64, primary: true },
    id: { type: "varchar", length: 32, unique: true },
    createdAt: { name: "created_at", ...time() },
    expiresAt: { name: "expires_at", ...time() },
    usesLeft: { name: "uses_left", type: "integer", nullable: true },
    used: { type: "integer", default: 0 },
  },
  indices: [{ name: "idx_initial_access_tokens_expires_at", columns: ["expiresAt"] }],
});

// ---- Issue 9: verifiers, holder keys, submissions, credentials, status lists (migration 1764700000000).

export interface HolderKeyRow {
  accountId: string;
  /** Public JWKs (JSON): the signing key attestations are bound to, the key sealed credentials go to. */
  signingJwk: string;
  encryptionJwk: string;
  /** The private keys, wrapped under the holder's vault key in the browser: opaque here. */
  wrapped: string;
  createdAt: number;
}
export const HolderKeyEntity = new EntitySchema<HolderKeyRow>({
  name: "HolderKey",
  tableName: "holder_keys",
  columns: {
    accountId: { name: "account_id", type: "varchar", length: 64, primary: true },
    signingJwk: { name: "signing_jwk", type: "text" },
    encryptionJwk: { name: "encryption_jwk", type: "text" },
    wrapped: { type: "text" },
    createdAt: { name: "created_at", ...time() },
  },
});

export interface VerifierRow {
  id: string;
  slug: string;
  name: string;
  trustFramework: string;
  assuranceLevel: string;
  /** JSON array of evidence methods (e.g. ["pipp", "sripp"]). */
  evidenceMethods: string;
  /** Set when the verifier publishes its keys on its own domain (docs/verifiers.md). */
  externalIssuer: string | null;
  signingJwk: string | null;
  encryptionJwk: string | null;
  status: "active" | "disabled";
  createdAt: number;
}
export const VerifierEntity = new EntitySchema<VerifierRow>({
  name: "Verifier",
  tableName: "verifiers",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    slug: { type: "varchar", length: 64, unique: true },
    name: { type: "varchar", length: 200 },
    trustFramework: { name: "trust_framework", type: "varchar", length: 64 },
    assuranceLevel: { name: "assurance_level", type: "varchar", length: 64 },
    evidenceMethods: { name: "evidence_methods", type: "text" },
    externalIssuer: { name: "external_issuer", type: "varchar", length: 500, nullable: true },
    signingJwk: { name: "signing_jwk", type: "text", nullable: true },
    encryptionJwk: { name: "encryption_jwk", type: "text", nullable: true },
    status: { type: "varchar", length: 16, default: "active" },
    createdAt: { name: "created_at", ...time() },
  },
});

export interface VerifierMemberRow {
  verifierId: string;
  accountId: string;
  /** The verifier's private keys sealed to this member's holder encryption key (a JWE), once shared. */
  sealedKeys: string | null;
  addedAt: number;
}
export const VerifierMemberEntity = new EntitySchema<VerifierMemberRow>({
  name: "VerifierMember",
  tableName: "verifier_members",
  columns: {
    verifierId: { name: "verifier_id", type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64, primary: true },
    sealedKeys: { name: "sealed_keys", type: "text", nullable: true },
    addedAt: { name: "added_at", ...time() },
  },
  indices: [{ name: "idx_verifier_members_account", columns: ["accountId"] }],
});

export interface SubmissionRow {
  id: string;
  accountId: string;
  verifierId: string;
  /** JSON [{itemId, type, version}]: which items, at which version (public metadata). */
  items: string;
  /** The items and their file keys, sealed to the verifier's encryption key in the holder's browser. */
  sealed: string;
  /** JSON array of the vault file ids the verifier may download (ciphertext). */
  fileIds: string;
  state: "submitted" | "approved" | "rejected" | "withdrawn";
  /** JSON [{itemType, kind, field?, message}] when rejected. */
  reasons: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  createdAt: number;
  updatedAt: number;
}
export const SubmissionEntity = new EntitySchema<SubmissionRow>({
  name: "Submission",
  tableName: "submissions",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    verifierId: { name: "verifier_id", type: "varchar", length: 36 },
    items: { type: "text" },
    sealed: { type: "text" },
    fileIds: { name: "file_ids", type: "text" },
    state: { type: "varchar", length: 16 },
    reasons: { type: "text", nullable: true },
    decidedBy: { name: "decided_by", type: "varchar", length: 64, nullable: true },
    decidedAt: { name: "decided_at", ...time(true) },
    createdAt: { name: "created_at", ...time() },
    updatedAt: { name: "updated_at", ...time() },
  },
  indices: [
    { name: "idx_submissions_account", columns: ["accountId"] },
    { name: "idx_submissions_verifier_state", columns: ["verifierId", "state", "createdAt"] },
  ],
});

export interface SubmissionOpenItemRow {
  itemId: string;
  verifierId: string;
  submissionId: string;
}
/** One row per item of an open submission: the primary key keeps one open submission per item and verifier. */
export const SubmissionOpenItemEntity = new EntitySchema<SubmissionOpenItemRow>({
  name: "SubmissionOpenItem",
  tableName: "submission_open_items",
  columns: {
    itemId: { name: "item_id", type: "varchar", length: 36, primary: true },
    verifierId: { name: "verifier_id", type: "varchar", length: 36, primary: true },
    submissionId: { name: "submission_id", type: "varchar", length: 36 },
  },
  indices: [{ name: "idx_submission_open_items_submission", columns: ["submissionId"] }],
});

export interface StatusListRow {
  id: string;
  verifierId: string;
  size: number;
  /** The next free index: reserved with one conditional UPDATE, so parallel reservations differ. */
  nextIndex: number;
  /** The current Token Status List JWT, signed by the verifier (in its browser or agent). */
  token: string;
  /** Bumped on each new token: revocations compare-and-set on it. */
  version: number;
  updatedAt: number;
}
export const StatusListEntity = new EntitySchema<StatusListRow>({
  name: "StatusList",
  tableName: "status_lists",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    verifierId: { name: "verifier_id", type: "varchar", length: 36 },
    size: { type: "integer" },
    nextIndex: { name: "next_index", type: "integer" },
    token: { type: "text" },
    version: { type: "integer" },
    updatedAt: { name: "updated_at", ...time() },
  },
  indices: [{ name: "idx_status_lists_verifier", columns: ["verifierId"] }],
});

export interface StatusReservationRow {
  submissionId: string;
  itemId: string;
  statusListId: string;
  statusIndex: number;
}
export const StatusReservationEntity = new EntitySchema<StatusReservationRow>({
  name: "StatusReservation",
  tableName: "status_reservations",
  columns: {
    submissionId: { name: "submission_id", type: "varchar", length: 36, primary: true },
    itemId: { name: "item_id", type: "varchar", length: 36, primary: true },
    statusListId: { name: "status_list_id", type: "varchar", length: 36 },
    statusIndex: { name: "status_index", type: "integer" },
  },
});

export interface CredentialRow {
  id: string;
  accountId: string;
  submissionId: string;
  verifierId: string;
  itemId: string;
  itemVersion: number;
  docType: string;
  /** The SD-JWT VC sealed to the holder's encryption key: the server cannot read it. */
  sealed: string;
  statusListId: string;
  statusIndex: number;
  /** JSON: the public verification metadata (trust framework, assurance level, time; no document data). */
  verification: string;
  issuedAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}
export const CredentialEntity = new EntitySchema<CredentialRow>({
  name: "Credential",
  tableName: "credentials",
  columns: {
    id: { type: "varchar", length: 36, primary: true },
    accountId: { name: "account_id", type: "varchar", length: 64 },
    submissionId: { name: "submission_id", type: "varchar", length: 36 },
    verifierId: { name: "verifier_id", type: "varchar", length: 36 },
    itemId: { name: "item_id", type: "varchar", length: 36 },
    itemVersion: { name: "item_version", type: "integer" },
    docType: { name: "doc_type", type: "varchar", length: 40 },
    sealed: { type: "text" },
    statusListId: { name: "status_list_id", type: "varchar", length: 36 },
    statusIndex: { name: "status_index", type: "integer" },
    verification: { type: "text" },
    issuedAt: { name: "issued_at", ...time() },
    expiresAt: { name: "expires_at", ...time(true) },
    revokedAt: { name: "revoked_at", ...time(true) },
  },
  indices: [
    { name: "idx_credentials_account", columns: ["accountId"] },
    { name: "idx_credentials_verifier", columns: ["verifierId"] },
    { name: "idx_credentials_status", columns: ["statusListId", "statusIndex"], unique: true },
  ],
});

/** Every entity; the blob column's type differs between the two databases. */
export const entitiesFor = (db: "sqlite" | "postgres") => [
  OidcPayloadEntity,
  ClientEntity,
  AccountEntity,
  AppSessionEntity,
  SignInEventEntity,
  PasskeyEntity,
  WebauthnChallengeEntity,
  AttemptCounterEntity,
  ServerKeyEntity,
  VaultItemEntity,
  VaultFileEntity,
  VaultReservationEntity,
  VaultQuotaLockEntity,
  blobEntity(db),
  EmailCodeEntity,
  ShareEntity,
  ShareLogEntity,
  PlaygroundClientEntity,
  InstanceFlagEntity,
  AdminLinkEntity,
  ClientOwnerEntity,
  ClientChangeEntity,
  ClientDailyStatEntity,
  InitialAccessTokenEntity,
  ClientEventEntity,
  HolderKeyEntity,
  VerifierEntity,
  VerifierMemberEntity,
  SubmissionEntity,
  SubmissionOpenItemEntity,
  StatusListEntity,
  StatusReservationEntity,
  CredentialEntity,
];
