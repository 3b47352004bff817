// Wires stores and services for one process. Routes, the provider, the CLI and tests all start
// from here, so each gets the same objects built the same way.
import type { DataSource } from "typeorm";
import type { Config } from "./config.js";
import { openDatabase } from "./db/data-source.js";
import { AccountStore } from "./db/accounts.js";
import { ClientStore } from "./db/clients.js";
import { LoginFailureStore } from "./db/login-failures.js";
import { OidcStore } from "./db/oidc-store.js";
import { ServerKeyStore } from "./db/server-keys.js";
import { KeyRing } from "./oidc/keys.js";
import { AccountService } from "./services/accounts.js";
import { AppSessionService } from "./services/app-sessions.js";
import { BruteForceGuard } from "./services/brute-force.js";
import { ClientService } from "./services/clients.js";
import { PasswordHasher } from "./services/password-hasher.js";
import { SecretBox } from "./services/secret-box.js";
import { VaultStore } from "./db/vault.js";
import { VaultService } from "./services/vault.js";
import type { BlobStore } from "./blobs/blob-store.js";
import { LocalBlobStore } from "./blobs/local-blob-store.js";
import { DatabaseBlobStore } from "./blobs/database-blob-store.js";
import { EmailCodeStore } from "./db/email-codes.js";
import { EmailVerificationService } from "./services/email-verification.js";
import { createMailer, type Mailer } from "./services/mailer.js";
import { ShareStore } from "./db/shares.js";
import { SharingService } from "./services/sharing.js";

export interface Container {
  cfg: Config;
  ds: DataSource;
  oidcStore: OidcStore;
  keys: KeyRing;
  accounts: AccountService;
  sessions: AppSessionService;
  clients: ClientService;
  guard: BruteForceGuard;
  vault: VaultService;
  emailVerification: EmailVerificationService;
  sharing: SharingService;
  close(): Promise<void>;
}

function blobStore(cfg: Config, ds: DataSource): BlobStore {
  return cfg.blobs.store === "database" ? new DatabaseBlobStore(ds) : new LocalBlobStore(cfg.blobs.dir);
}

export async function createContainer(cfg: Config, ds?: DataSource, opts: { mailer?: Mailer } = {}): Promise<Container> {
  const db = ds ?? (await openDatabase(cfg.database));
  const box = new SecretBox(cfg.keyEncryptionSecret);
  // A retired key must outlive everything it may have signed: the longest token lifetime.
  const overlapMs = Math.max(cfg.ttl.accessToken, cfg.ttl.idToken) * 1000;
  const keys = new KeyRing(new ServerKeyStore(db), box, overlapMs);
  const guard = new BruteForceGuard(new LoginFailureStore(db), cfg.bruteForce);
  const accountStore = new AccountStore(db);
  const accounts = new AccountService(accountStore, new PasswordHasher(cfg.argon2), guard, cfg, await keys.secret("prelogin-hmac"));
  const emailCodes = new EmailCodeStore(db);
  const emailVerification = new EmailVerificationService(emailCodes, opts.mailer ?? createMailer(cfg.mail), keys, cfg.issuer, await keys.secret("email-hmac"));
  const vault = new VaultService(new VaultStore(db), blobStore(cfg, db), cfg.vault, async (jwt) => (await emailVerification.check(jwt)) !== null);
  const oidcStore = new OidcStore(db);
  const clients = new ClientService(new ClientStore(db), box, cfg.clientCacheSeconds * 1000);
  const shareStore = new ShareStore(db);
  const sharing = new SharingService(shareStore, clients, vault);
  // Deleting an account takes everything with it: documents, files, blobs, grants and tokens.
  accounts.onDelete(async (id) => {
    await vault.deleteAll(id);
    await emailCodes.deleteAccount(id);
    await shareStore.deleteAccount(id);
    await oidcStore.revokeByAccount(id);
  });
  return {
    cfg,
    ds: db,
    oidcStore,
    keys,
    accounts,
    sessions: new AppSessionService(accountStore, cfg.ttl.session),
    clients,
    guard,
    vault,
    emailVerification,
    sharing,
    close: async () => {
      if (db.isInitialized) await db.destroy();
    },
  };
}

/** Removes what has expired: OIDC artifacts, app sessions, old login failures, retired keys. */
export async function purgeExpired(c: Container): Promise<Record<string, number>> {
  return {
    oidcArtifacts: await c.oidcStore.purgeExpired(),
    sessions: await c.sessions.purge(),
    loginFailures: await c.guard.purge(),
    retiredKeys: await c.keys.dropExpired(),
    emailCodes: await c.emailVerification.purge(),
    ...prefixed("vault", await c.vault.collectGarbage()),
  };
}

const prefixed = (p: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}${k[0]!.toUpperCase()}${k.slice(1)}`, v]));
