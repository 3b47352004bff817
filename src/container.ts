// Wires stores and services for one process. Routes, the provider, the CLI and tests all start
// from here, so each gets the same objects built the same way.
import type { DataSource } from "typeorm";
import type { Config } from "./config.js";
import { createLogger } from "./logger.js";
import { openDatabase } from "./db/data-source.js";
import { AccountStore } from "./db/accounts.js";
import { ClientStore } from "./db/clients.js";
import { AttemptCounterStore } from "./db/attempt-counters.js";
import { OidcStore } from "./db/oidc-store.js";
import { ServerKeyStore } from "./db/server-keys.js";
import { KeyRing } from "./oidc/keys.js";
import { AccountService } from "./services/accounts.js";
import { AppSessionService } from "./services/app-sessions.js";
import { BruteForceGuard } from "./services/brute-force.js";
import { RateLimiter } from "./services/rate-limit.js";
import { ClientService } from "./services/clients.js";
import { RegistrationService } from "./services/registration.js";
import { InitialAccessTokenStore } from "./db/initial-access-tokens.js";
import { ClientActivityStore } from "./db/client-activity.js";
import { ClientActivityService } from "./services/client-activity.js";
import { DeveloperService } from "./services/developers.js";
import type { SecretBox } from "./services/secret-box.js";
import { PasswordHasher } from "./services/password-hasher.js";
import { openSecretsAtRest } from "./services/secrets-at-rest.js";
import { JwksFetcher } from "./services/jwks-fetch.js";
import { VaultStore } from "./db/vault.js";
import { VaultService } from "./services/vault.js";
import type { BlobStore } from "./blobs/blob-store.js";
import { createBlobStore } from "./blobs/create-blob-store.js";
import { EmailCodeStore } from "./db/email-codes.js";
import { EmailVerificationService } from "./services/email-verification.js";
import { PassportIssuer } from "./services/passport-issuer.js";
import { EmailCredentialStore } from "./db/email-credentials.js";
import { createMailer, type Mailer } from "./services/mailer.js";
import { ShareStore } from "./db/shares.js";
import { SharingService } from "./services/sharing.js";
import { PlaygroundClientStore } from "./db/playground-clients.js";
import { PlaygroundService } from "./services/playground.js";
import { AdminLinkStore, InstanceFlagStore } from "./db/admin-claims.js";
import { kdfMixQuery } from "./db/kdf-mix.js";
import { changeVersions } from "./db/change-versions.js";
import { sqliteChanges } from "./db/sqlite-changes.js";
import { sqliteCheckpoints, type BackgroundCheckpoints } from "./db/sqlite-checkpoints.js";
import { AdminLinkService } from "./services/admin-links.js";
import { HealthService } from "./services/health.js";
import { PasskeyStore } from "./db/passkeys.js";
import { PasskeyService } from "./services/passkeys.js";
import { SignInEventStore } from "./db/sign-in-events.js";
import { SignInHistory } from "./services/sign-in-history.js";
import { EmailChangeService } from "./services/email-change.js";
import { HolderKeyStore } from "./db/holder-keys.js";
import { VerifierStore } from "./db/verifiers.js";
import { StatusListStore } from "./db/status-lists.js";
import { SubmissionStore } from "./db/submissions.js";
import { CredentialStore } from "./db/credentials.js";
import { HolderKeyService } from "./services/holder-keys.js";
import { VerifierService } from "./services/verifiers.js";
import { SubmissionService } from "./services/submissions.js";

export interface Container {
  cfg: Config;
  ds: DataSource;
  oidcStore: OidcStore;
  keys: KeyRing;
  accounts: AccountService;
  sessions: AppSessionService;
  /** The account console: passkeys (second factor), sign-in history, email change. */
  passkeys: PasskeyService;
  history: SignInHistory;
  emailChange: EmailChangeService;
  clients: ClientService;
  /** Per-client change log and daily activity counts. */
  clientActivity: ClientActivityService;
  /** The developer console's rules: policy, per-account limit, ownership. */
  developers: DeveloperService;
  /** Seals a fresh client secret into a short-lived cookie, to show it once after a redirect. */
  box: SecretBox;
  guard: BruteForceGuard;
  /** Atomic attempt counters for any limit (src/services/rate-limit.ts). */
  limiter: RateLimiter;
  vault: VaultService;
  /** Where sealed scans live (BLOB_STORE); the vault service decides what goes in and out. */
  blobs: BlobStore;
  emailVerification: EmailVerificationService;
  passportIssuer: PassportIssuer;
  sharing: SharingService;
  playground: PlaygroundService;
  adminLinks: AdminLinkService;
  /** Dynamic client registration (RFC 7591/7592): initial access tokens and registered clients. */
  registration: RegistrationService;
  /** Fetches clients' jwks_uri (guarded, bounded, cached) for Passport and oidc-provider alike. */
  jwks: JwksFetcher;
  /** GET /healthz: does the database answer. */
  health: HealthService;
  /** Issue 9: holders' key pairs (public halves, wrapped private halves). */
  holderKeys: HolderKeyService;
  /** Issue 9: verifiers (admin, members, keys, issuer metadata, status lists). */
  verifiers: VerifierService;
  /** Issue 9: submissions to verifiers and the credentials they issue. */
  submissions: SubmissionService;
  /** Weaknesses found at start (secrets at rest, file modes): logged once at warn level. */
  warnings: string[];
  /**
   * Called by the process that serves requests (createApp), not by the CLI: on SQLite its own
   * writes are then counted in process and its token reads may be kept (src/db/sqlite-changes.ts),
   * while every other process's writes are announced to it.
   */
  serveRequests(requestOf?: () => object | undefined): void;
  close(): Promise<void>;
}

export async function createContainer(cfg: Config, ds?: DataSource, opts: { mailer?: Mailer; clearTemporaryBlobs?: boolean } = {}): Promise<Container> {
  const db = ds ?? (await openDatabase(cfg.database));
  sqliteChanges(db); // reports this connection's writes (a DataSource handed in did not come through openDatabase)
  // Server secrets are sealed by default (KEY_FILE, or KEY_ENCRYPTION_SECRET); a missing or wrong key stops the start.
  const { box, warnings } = await openSecretsAtRest(cfg, new ServerKeyStore(db)).catch(async (e: unknown) => {
    if (!ds) await db.destroy(); // opened here, so closed here: a refused start leaves nothing open
    throw e;
  });
  // A retired key must outlive everything it may have signed: the longest token lifetime.
  const overlapMs = Math.max(cfg.ttl.accessToken, cfg.ttl.idToken) * 1000;
  // New keys are published for two refresh intervals before they sign, so every process lists them first.
  const keys = new KeyRing(new ServerKeyStore(db), box, overlapMs, 2 * cfg.keyRefreshSeconds * 1000);
  const limiter = new RateLimiter(new AttemptCounterStore(db));
  const guard = new BruteForceGuard(limiter, cfg.bruteForce);
  const accountStore = new AccountStore(db);
  const passkeys = new PasskeyService(new PasskeyStore(db), cfg.issuer, cfg.accountConsole.passkeysPerAccount);
  const history = new SignInHistory(new SignInEventStore(db), limiter, cfg.accountConsole.historyDays);
  const accounts = new AccountService(accountStore, new PasswordHasher(cfg.argon2), guard, cfg, await keys.secret("prelogin-hmac"), new InstanceFlagStore(db), kdfMixQuery(db), { passkeys, history });
  const oidcStore = new OidcStore(db);
  const emailCodes = new EmailCodeStore(db);
  const holderKeyStore = new HolderKeyStore(db);
  const statusLists = new StatusListStore(db);
  // Passport issues the email attestation itself, signed with its own key, with status lists of its own.
  const passportIssuer = new PassportIssuer(keys, statusLists, cfg.issuer, cfg.verifiers.statusListSize);
  const emailVerification = new EmailVerificationService(
    emailCodes,
    opts.mailer ?? createMailer(cfg.mail),
    passportIssuer,
    new EmailCredentialStore(db),
    holderKeyStore,
    await keys.secret("email-hmac"),
    limiter,
    cfg.emailVerification,
  );
  // check() throws (400) for a foreign, expired, revoked or altered credential: the save is refused.
  const blobs = await createBlobStore(cfg.blobs, db, { clearTemporary: opts.clearTemporaryBlobs });
  await blobs.init?.().catch(async (e: unknown) => {
    if (!ds) await db.destroy();
    throw e;
  });
  const vault = new VaultService(new VaultStore(db), blobs, cfg.vault, emailVerification);
  const clientStore = new ClientStore(db);
  const versions = changeVersions(db);
  let checkpoints: BackgroundCheckpoints | undefined;
  const clients = new ClientService(clientStore, box, cfg.clientCacheSeconds * 1000, cfg.allowPrivateJwksUri, versions);
  const clientActivity = new ClientActivityService(new ClientActivityStore(db));
  clients.setActivity(clientActivity);
  // Client secrets written before they were hashed: needs the sealing key, so not a migration.
  await clients.hashStoredSecrets();
  const shareStore = new ShareStore(db);
  const jwks = new JwksFetcher({ allowPrivate: cfg.allowPrivateJwksUri });
  const sharing = new SharingService(shareStore, clients, vault, (uri) => jwks.get(uri));
  const verifierStore = new VerifierStore(db);
  const submissionStore = new SubmissionStore(db);
  const holderKeys = new HolderKeyService(holderKeyStore);
  const verifiers = new VerifierService(verifierStore, statusLists, holderKeyStore, submissionStore, accounts, cfg.issuer, cfg.verifiers);
  const submissions = new SubmissionService(submissionStore, new CredentialStore(db), statusLists, holderKeyStore, new VaultStore(db), vault, verifiers, cfg.verifiers.maxOpenSubmissions);
  // Deleting an account takes everything with it: documents, files, blobs, grants and tokens,
  // submissions to verifiers and the credentials they issued, holder keys, verifier memberships.
  accounts.onDelete(async (id) => {
    await emailVerification.settle(id, null, true);
    await submissionStore.deleteAccount(id);
    await holderKeyStore.delete(id);
    await verifierStore.deleteAccount(id);
    await vault.deleteAll(id);
    await emailCodes.deleteAccount(id);
    await shareStore.deleteAccount(id);
    await oidcStore.revokeByAccount(id);
    await passkeys.deleteAccount(id);
    await history.deleteAccount(id);
  });
  return {
    cfg,
    ds: db,
    oidcStore,
    keys,
    accounts,
    sessions: new AppSessionService(accountStore, cfg.ttl.session, oidcStore),
    passkeys,
    history,
    emailChange: new EmailChangeService(accounts, emailVerification),
    clients,
    clientActivity,
    developers: new DeveloperService(clients, clientStore.owners, accounts, cfg.developers, clientActivity),
    box,
    guard,
    limiter,
    vault,
    blobs,
    emailVerification,
    passportIssuer,
    sharing,
    // Built even with PLAYGROUND=false, so that the purge still clears clients left from before.
    playground: new PlaygroundService(new PlaygroundClientStore(db), clients, limiter, cfg.issuer),
    adminLinks: new AdminLinkService(new AdminLinkStore(db), cfg.issuer),
    registration: new RegistrationService(new InitialAccessTokenStore(db), clients, cfg.developers),
    jwks,
    health: new HealthService(db),
    holderKeys,
    verifiers,
    submissions,
    warnings,
    serveRequests: (requestOf) => {
      const changes = sqliteChanges(db);
      changes?.serve();
      checkpoints ??= sqliteCheckpoints(db);
      if (requestOf) changes?.perRequest(requestOf);
      oidcStore.cacheTokens(cfg.tokenCacheSeconds);
      const log = createLogger(cfg.logLevel);
      const failed = (err: unknown) => log.warn("could not analyse the OIDC artifact table", { error: err instanceof Error ? err.message : String(err) });
      oidcStore.keepPlannerStatistics(failed).catch(failed);
    },
    close: async () => {
      await versions.close();
      await oidcStore.statisticsSettled();
      await checkpoints?.stop();
      if (db.isInitialized) {
        sqliteChanges(db)?.close();
        await db.destroy();
      }
    },
  };
}

/** Removes what has expired: OIDC artifacts, app sessions, old login failures, retired keys. */
export async function purgeExpired(c: Container): Promise<Record<string, number>> {
  return {
    oidcArtifacts: await c.oidcStore.purgeExpired(),
    sessions: await c.sessions.purge(),
    signInHistory: await c.history.purge(),
    webauthnChallenges: await c.passkeys.purge(),
    attemptCounters: await c.limiter.purge(),
    retiredKeys: await c.keys.dropExpired(),
    emailCodes: await c.emailVerification.purge(),
    playgroundClients: await c.playground.purgeExpired(),
    adminLinks: await c.adminLinks.purge(),
    initialAccessTokens: await c.registration.purgeExpired(),
    clientEvents: await c.clientActivity.purgeEvents(),
    ...prefixed("vault", await c.vault.collectGarbage()),
  };
}

const prefixed = (p: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}${k[0]!.toUpperCase()}${k.slice(1)}`, v]));
