// The one place that reads process.env. Every setting is listed here with its default and what it
// does; `.env.example` mirrors this file. Other modules import `loadConfig()` or receive a Config.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const envSchema = z.object({
  /** File of KEY=value lines read at start by the server and the CLI alike (set variables win); "none" reads none. */
  ENV_FILE: z.string().default(".env"),
  /** TCP port the HTTP server listens on. */
  PORT: int(0, 65535).default(3000),
  /** Address to bind. */
  HOST: z.string().default("0.0.0.0"),
  /** Server processes (node:cluster workers sharing PORT); 1 runs a single process. More than 1 needs PostgreSQL. */
  WORKERS: int(1, 64).default(1),
  /** Public issuer URL; defaults to http://localhost:PORT. Use https in production. */
  ISSUER: z.string().url().optional(),
  /** Folder for the SQLite database and (later) the blob store. */
  DATA_DIR: z.string().default("./data"),
  /** postgres://… to run on PostgreSQL; empty means embedded SQLite in DATA_DIR. */
  DATABASE_URL: z.string().default(""),
  /** PostgreSQL schema for Passport's tables (created if missing). */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "lowercase letters, digits and _").default("public"),
  /** Seals every server secret at rest (signing keys, cookie key, salts, HMAC keys); wins over KEY_FILE. Optional. */
  KEY_ENCRYPTION_SECRET: z.string().default(""),
  /** File holding the key that seals server secrets when KEY_ENCRYPTION_SECRET is unset; made (0600) on first start. Default: "<DATA_DIR>.key", beside the data folder, not in it. */
  KEY_FILE: z.string().optional(),
  /** Trust X-Forwarded-* headers (set when behind a reverse proxy / load balancer). */
  TRUST_PROXY: bool.default(false),
  /** With TRUST_PROXY: how many proxies in front of Passport add to X-Forwarded-For. The client's address is taken that many entries from the right, so one a client writes itself is ignored. */
  TRUST_PROXY_HOPS: int(1, 10).default(1),
  /** Largest accepted request body for forms and JSON (file uploads have their own limit). */
  BODY_LIMIT: z.string().default("256kb"),
  /** Where sealed scans are kept: "local" (BLOB_DIR), "database" (in the database) or "s3" (an S3-compatible bucket); the last two are shared by every server process. */
  BLOB_STORE: z.enum(["local", "database", "s3"]).default("local"),
  /** Folder of the local blob store; defaults to DATA_DIR/blobs. */
  BLOB_DIR: z.string().optional(),
  /** BLOB_STORE=s3: the bucket (must exist). */
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lowercase letters, digits, dots and hyphens").optional(),
  /** BLOB_STORE=s3: the endpoint of an S3-compatible server (https://minio.example.org:9000); empty means AWS S3 itself. */
  S3_ENDPOINT: z.string().url().optional(),
  /** BLOB_STORE=s3: the region (any value for most S3-compatible servers). */
  S3_REGION: z.string().default("us-east-1"),
  /** BLOB_STORE=s3: access key; with S3_SECRET_ACCESS_KEY. Empty: the AWS default chain (AWS_* variables, instance or task role). */
  S3_ACCESS_KEY_ID: z.string().default(""),
  S3_SECRET_ACCESS_KEY: z.string().default(""),
  /** BLOB_STORE=s3: address the bucket as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT (MinIO and most self-hosted servers need true). */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** BLOB_STORE=s3: a key prefix ("passport/"), to share a bucket; empty: the bucket's root. */
  S3_PREFIX: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, 'folder names ending in "/", such as "passport/"').default(""),
  /** Largest scan a holder may upload, in bytes (before encryption). */
  VAULT_MAX_FILE_BYTES: int(1024, 1_073_741_824).default(10 * 1024 * 1024),
  /** Storage per holder for all scans and thumbnails, in bytes. */
  VAULT_QUOTA_BYTES: int(1024, 1_099_511_627_776).default(100 * 1024 * 1024),
  /** Largest sealed document (fields only, no scans), in bytes. */
  VAULT_MAX_ITEM_BYTES: int(1024, 1_048_576).default(64 * 1024),
  /** Seconds an upload not yet saved with a document counts against the quota; after that it is dropped (add it again). */
  VAULT_UNATTACHED_TTL_SECONDS: int(60, 604_800).default(3600),
  /** SMTP server for one-time codes (smtp://user:pass@host:587); empty writes mails to DATA_DIR/outbox. */
  SMTP_URL: z.string().default(""),
  /** Sender address of Passport's mails. */
  MAIL_FROM: z.string().default("Passport <no-reply@localhost>"),
  /** Email codes sent per hour per account and, separately, per address (a victim's mailbox); resends count. */
  EMAIL_CODE_SENDS_PER_HOUR: int(1, 10_000).default(5),
  /** Email codes sent per hour per client address, across accounts and addresses. */
  EMAIL_CODE_SENDS_PER_IP_PER_HOUR: int(1, 1_000_000).default(20),
  /** Wrong entries of one email code before it is dead (a resend does not reset them). */
  EMAIL_CODE_MAX_ATTEMPTS: int(1, 100).default(5),
  /** Days an email attestation stays valid. */
  EMAIL_ATTESTATION_TTL_DAYS: int(1, 3650).default(365),
  /** PBKDF2 iterations for new accounts; sign-ups with fewer are refused, older accounts are raised to it at their next sign-in. Browsers never derive with fewer than 100,000 (KDF_ITERATIONS_FLOOR). */
  KDF_ITERATIONS: int(1, 10_000_000).default(600_000),
  /** argon2id cost used to hash the authKey the browser sends. */
  ARGON2_MEMORY_KIB: int(1024, 1_048_576).default(19_456),
  ARGON2_TIME_COST: int(1, 20).default(2),
  ARGON2_PARALLELISM: int(1, 16).default(1),
  /** Failed sign-ins allowed per account before delays start (Keycloak-like brute-force detection). */
  LOGIN_FREE_FAILURES: int(1, 1000).default(5),
  /** Failed sign-ins allowed per client address before delays start. */
  LOGIN_IP_FREE_FAILURES: int(1, 100_000).default(30),
  /** First delay after the free failures, in seconds; each further failure doubles it. */
  LOGIN_WAIT_INCREMENT_SECONDS: int(1, 86_400).default(60),
  /** Longest delay (temporary lock), in seconds. */
  LOGIN_MAX_WAIT_SECONDS: int(1, 86_400).default(900),
  /** Failures older than this are forgotten, in seconds. */
  LOGIN_FAILURE_RESET_SECONDS: int(60, 604_800).default(43_200),
  /** Sign-ups per client address per hour; every attempt counts, taken emails (409) included. */
  SIGNUP_PER_IP_PER_HOUR: int(1, 1_000_000).default(10),
  /** Days the account console's sign-in history (successes, failures, locks) is kept. */
  SIGNIN_HISTORY_DAYS: int(1, 3650).default(90),
  /** Passkeys (second factor) one account may register. */
  PASSKEYS_PER_ACCOUNT: int(1, 100).default(10),
  /** Lifetimes, in seconds. */
  ACCESS_TOKEN_TTL: int(60, 86_400).default(3600),
  ID_TOKEN_TTL: int(60, 86_400).default(3600),
  REFRESH_TOKEN_TTL: int(60, 31_536_000).default(14 * 86_400),
  SESSION_TTL: int(60, 31_536_000).default(14 * 86_400),
  AUTHORIZATION_CODE_TTL: int(10, 600).default(60),
  INTERACTION_TTL: int(60, 86_400).default(3600),
  /** Subject types offered; the first is the default for new clients. */
  SUBJECT_TYPES: csv.default(["pairwise", "public"]),
  /** Algorithm of the key that signs ID tokens by default. */
  DEFAULT_SIGNING_ALG: z.enum(["RS256", "PS256", "ES256", "EdDSA"]).default("RS256"),
  /** Seconds a process keeps a client's metadata (and an account's id and email for token claims) before reading them again; changes made elsewhere show up within this. */
  CLIENT_CACHE_SECONDS: int(0, 3600).default(5),
  /** SQLite: seconds the server keeps an access token it read in memory, dropped at once on any change Passport makes or announces; bounds only SQL typed by hand. 0 disables. */
  TOKEN_CACHE_SECONDS: int(0, 3600).default(10),
  /** Development only: let a client's jwks_uri point at loopback, private or link-local addresses (refused by default, at registration and when fetched). */
  ALLOW_PRIVATE_JWKS_URI: bool.default(false),
  /** Seconds between checks for rotated signing keys (multi-process deployments). 0 disables. */
  KEY_REFRESH_SECONDS: int(0, 86_400).default(60),
  /** Seconds between purges of expired OIDC artifacts, sessions and login failures. 0 disables. */
  PURGE_INTERVAL_SECONDS: int(0, 86_400).default(600),
  /** Serve the built-in test page /playground (a relying party that runs in the visitor's browser, with its own key). */
  PLAYGROUND: bool.default(true),
  /** The first account to sign up becomes an admin (decided atomically). For `npm start` on a laptop; a public instance sets false and runs `passport admin-link`. */
  FIRST_USER_IS_ADMIN: bool.default(true),
  /** Who may register clients in the developer console (and by dynamic registration): "everyone", "domain:a.com,b.org" (accounts whose email is at one of these domains; admins always may) or "admins". */
  DEVELOPER_REGISTRATION: z
    .string()
    .regex(/^(everyone|admins|domain:[^,\s]+(,[^,\s]+)*)$/, 'use "everyone", "admins" or "domain:a.com,b.org"')
    .default("everyone"),
  /** Clients one account may own (registered by it or shared with it as co-owner); admins are not limited on the admin page. */
  DEVELOPER_MAX_CLIENTS: int(0, 10_000).default(10),
  /** "approval": a developer's client that asks for Passport scopes waits for an admin's approval before it may use them; "immediate": it may use them at once. */
  DEVELOPER_PASSPORT_SCOPES: z.enum(["immediate", "approval"]).default("approval"),
  /** Bearer token that opens GET /metrics (Prometheus format); empty: there is no /metrics. */
  METRICS_TOKEN: z.string().min(16, "at least 16 characters (e.g. openssl rand -hex 32)").optional(),
  /** Trust frameworks a verifier may work under besides `eidas` and `de_aml` (comma-separated; document each one you add for your relying parties). */
  VERIFIER_TRUST_FRAMEWORKS: csv.default([]),
  /** Submissions to verifiers one holder may have open (waiting for a decision) at once. */
  VERIFIER_MAX_OPEN_SUBMISSIONS: int(1, 1000).default(10),
  /** Entries in each Token Status List (revocation), a verifier's or Passport's own (email); a new list is needed when one is full. */
  VERIFIER_STATUS_LIST_SIZE: int(16, 1_048_576).default(16_384),
  /** "info" logs one line per request; "warn" only problems; "silent" nothing. */
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  /** node:cluster workers; 1 means a single process (src/cluster.ts). */
  workers: number;
  issuer: string;
  secureCookies: boolean;
  dataDir: string;
  database: { type: "sqlite"; file: string } | { type: "postgres"; url: string; schema: string };
  keyEncryptionSecret: string;
  /** Where the generated key-encryption key lives (used only without KEY_ENCRYPTION_SECRET). */
  keyFile: string;
  blobs: {
    store: "local" | "database" | "s3";
    dir: string;
    /** Set when store is "s3". */
    s3: { bucket: string; endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean; prefix: string } | null;
  };
  vault: { maxFileBytes: number; quotaBytes: number; maxItemBytes: number; unattachedTtlSeconds: number };
  mail: { smtpUrl: string; from: string; outboxDir: string };
  emailVerification: { sendsPerHour: number; sendsPerIpPerHour: number; maxAttempts: number; attestationTtlDays: number };
  trustProxy: boolean;
  /** Proxies in front of Passport that append to X-Forwarded-For (used with trustProxy). */
  trustProxyHops: number;
  bodyLimit: string;
  kdfIterations: number;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  bruteForce: {
    freeFailures: number;
    ipFreeFailures: number;
    waitIncrementSeconds: number;
    maxWaitSeconds: number;
    resetSeconds: number;
    signUpsPerIpPerHour: number;
  };
  /** The account console: sign-in history retention and the passkey limit (WebAuthn's rpID is ISSUER's host). */
  accountConsole: { historyDays: number; passkeysPerAccount: number };
  ttl: {
    accessToken: number;
    idToken: number;
    refreshToken: number;
    session: number;
    authorizationCode: number;
    interaction: number;
  };
  subjectTypes: ("pairwise" | "public")[];
  defaultSigningAlg: "RS256" | "PS256" | "ES256" | "EdDSA";
  keyRefreshSeconds: number;
  clientCacheSeconds: number;
  /** SQLite, serving process: longest a token read is kept in memory (src/db/token-cache.ts); 0: never. */
  tokenCacheSeconds: number;
  allowPrivateJwksUri: boolean;
  purgeIntervalSeconds: number;
  firstUserIsAdmin: boolean;
  /** Self-service registration (developer console, dynamic registration): who, how many, and Passport scopes. */
  developers: {
    registration: { kind: "everyone" } | { kind: "domains"; domains: string[] } | { kind: "admins" };
    maxClients: number;
    passportScopes: "immediate" | "approval";
  };
  playground: boolean;
  /** Issue 9: verifiers' trust frameworks, the per-holder limit of open submissions, status list size. */
  verifiers: { trustFrameworks: string[]; maxOpenSubmissions: number; statusListSize: number };
  /** Opens GET /metrics; empty: metrics are off (not even collected). */
  metricsToken: string;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

export class ConfigError extends Error {}

/** DEVELOPER_REGISTRATION (already checked by its regex) → its typed form; domains compared lowercase. */
function developerRegistration(v: string): Config["developers"]["registration"] {
  if (v === "everyone" || v === "admins") return { kind: v };
  return { kind: "domains", domains: v.slice("domain:".length).split(",").map((d) => d.trim().toLowerCase().replace(/^@/, "")) };
}

/** The S3 settings when BLOB_STORE=s3 (a bucket is then required, and a key comes with its secret). */
function s3Settings(e: z.output<typeof envSchema>): Config["blobs"]["s3"] {
  if (e.BLOB_STORE !== "s3") return null;
  if (!e.S3_BUCKET) throw new ConfigError("invalid configuration:\n  S3_BUCKET: required when BLOB_STORE=s3");
  if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY) throw new ConfigError("invalid configuration:\n  S3_SECRET_ACCESS_KEY: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither");
  return {
    bucket: e.S3_BUCKET,
    endpoint: (e.S3_ENDPOINT ?? "").replace(/\/+$/, ""),
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    prefix: e.S3_PREFIX,
  };
}

/**
 * Reads ENV_FILE (default `.env` in the working folder) into process.env, as the server and the
 * CLI both do before loadConfig(): the CLI then finds the same DATA_DIR, DATABASE_URL and ISSUER
 * as the server started from the same folder. Variables already set in the environment win
 * (Node's own parser, process.loadEnvFile). Returns the file read, or null when there is none.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.ENV_FILE;
  if (given === "none") return null;
  const file = path.resolve(given || ".env");
  if (!fs.existsSync(file)) {
    if (given) throw new ConfigError(`invalid configuration:\n  ENV_FILE: ${file} does not exist`);
    return null;
  }
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ENV_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return file;
}

/** Reads and validates the environment; a bad value stops start-up with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const issuer = (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const subjectTypes = e.SUBJECT_TYPES.filter((s): s is "pairwise" | "public" => s === "pairwise" || s === "public");
  if (subjectTypes.length === 0) throw new ConfigError("invalid configuration:\n  SUBJECT_TYPES: use pairwise and/or public");
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    workers: e.WORKERS,
    issuer,
    secureCookies: issuer.startsWith("https:"),
    dataDir,
    database: e.DATABASE_URL
      ? { type: "postgres", url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }
      : { type: "sqlite", file: path.join(dataDir, "passport.sqlite") },
    keyEncryptionSecret: e.KEY_ENCRYPTION_SECRET,
    keyFile: path.resolve(e.KEY_FILE ?? `${dataDir}.key`),
    blobs: { store: e.BLOB_STORE, dir: path.resolve(e.BLOB_DIR ?? path.join(dataDir, "blobs")), s3: s3Settings(e) },
    vault: { maxFileBytes: e.VAULT_MAX_FILE_BYTES, quotaBytes: e.VAULT_QUOTA_BYTES, maxItemBytes: e.VAULT_MAX_ITEM_BYTES, unattachedTtlSeconds: e.VAULT_UNATTACHED_TTL_SECONDS },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, outboxDir: path.join(dataDir, "outbox") },
    emailVerification: {
      sendsPerHour: e.EMAIL_CODE_SENDS_PER_HOUR,
      sendsPerIpPerHour: e.EMAIL_CODE_SENDS_PER_IP_PER_HOUR,
      maxAttempts: e.EMAIL_CODE_MAX_ATTEMPTS,
      attestationTtlDays: e.EMAIL_ATTESTATION_TTL_DAYS,
    },
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    bodyLimit: e.BODY_LIMIT,
    kdfIterations: e.KDF_ITERATIONS,
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    bruteForce: {
      freeFailures: e.LOGIN_FREE_FAILURES,
      ipFreeFailures: e.LOGIN_IP_FREE_FAILURES,
      waitIncrementSeconds: e.LOGIN_WAIT_INCREMENT_SECONDS,
      maxWaitSeconds: e.LOGIN_MAX_WAIT_SECONDS,
      resetSeconds: e.LOGIN_FAILURE_RESET_SECONDS,
      signUpsPerIpPerHour: e.SIGNUP_PER_IP_PER_HOUR,
    },
    accountConsole: { historyDays: e.SIGNIN_HISTORY_DAYS, passkeysPerAccount: e.PASSKEYS_PER_ACCOUNT },
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL,
      idToken: e.ID_TOKEN_TTL,
      refreshToken: e.REFRESH_TOKEN_TTL,
      session: e.SESSION_TTL,
      authorizationCode: e.AUTHORIZATION_CODE_TTL,
      interaction: e.INTERACTION_TTL,
    },
    subjectTypes,
    defaultSigningAlg: e.DEFAULT_SIGNING_ALG,
    keyRefreshSeconds: e.KEY_REFRESH_SECONDS,
    clientCacheSeconds: e.CLIENT_CACHE_SECONDS,
    tokenCacheSeconds: e.TOKEN_CACHE_SECONDS,
    allowPrivateJwksUri: e.ALLOW_PRIVATE_JWKS_URI,
    purgeIntervalSeconds: e.PURGE_INTERVAL_SECONDS,
    firstUserIsAdmin: e.FIRST_USER_IS_ADMIN,
    developers: {
      registration: developerRegistration(e.DEVELOPER_REGISTRATION),
      maxClients: e.DEVELOPER_MAX_CLIENTS,
      passportScopes: e.DEVELOPER_PASSPORT_SCOPES,
    },
    playground: e.PLAYGROUND,
    verifiers: {
      trustFrameworks: [...new Set(["eidas", "de_aml", ...e.VERIFIER_TRUST_FRAMEWORKS.map((t) => t.trim()).filter(Boolean)])],
      maxOpenSubmissions: e.VERIFIER_MAX_OPEN_SUBMISSIONS,
      statusListSize: e.VERIFIER_STATUS_LIST_SIZE,
    },
    metricsToken: e.METRICS_TOKEN ?? "",
    logLevel: e.LOG_LEVEL,
  };
}
