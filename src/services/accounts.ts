// Accounts: sign-up, sign-in, password change, recovery, deletion. The server sees only the
// authKey the browser derived (stored as argon2id), the per-account KDF parameters, and the vault
// key wrapped twice (by the password-derived key and by the recovery key). It never sees the
// password, the master key, the recovery key or the vault key.
import crypto from "node:crypto";
import type { Config } from "../config.js";
import type { AccountStore } from "../db/accounts.js";
import type { AccountRow } from "../db/entities.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.js";
import type { AttemptKeys, BruteForceGuard } from "./brute-force.js";
import type { PasswordHasher } from "./password-hasher.js";

export interface KdfParams {
  alg: "pbkdf2-sha256";
  iterations: number;
  salt: string;
}

export interface PasswordCredentials {
  kdf: KdfParams;
  authKey: string;
  wrappedVaultKey: string;
}

export interface SignUpInput extends PasswordCredentials {
  email: string;
  recoveryAuthKey: string;
  recoveryWrappedVaultKey: string;
}

export interface Account {
  id: string;
  email: string;
  isAdmin: boolean;
  createdAt: number;
  passwordChangedAt: number;
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super("invalid_credentials", "The email or password is wrong.", 401);
  }
}

export const normalizeEmail = (email: string) => email.normalize("NFKC").trim().toLowerCase();

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  isAdmin: r.isAdmin,
  createdAt: r.createdAt,
  passwordChangedAt: r.passwordChangedAt,
});

export class AccountService {
  private readonly deleteHooks: ((accountId: string) => Promise<void>)[] = [];
  /** For claims only (id and email, which never change); see `forClaims`. */
  private readonly claimsCache = new Map<string, { account: Account; until: number }>();

  constructor(
    private readonly store: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly guard: BruteForceGuard,
    private readonly cfg: Pick<Config, "kdfIterations" | "firstUserIsAdmin">,
    /** HMAC key for the fake KDF parameters of unknown emails. */
    private readonly preloginSecret: string,
  ) {}

  /** KDF parameters to derive with. Unknown emails get stable fake ones, so nothing is revealed. */
  async prelogin(email: string): Promise<KdfParams> {
    const row = await this.store.byEmail(normalizeEmail(email));
    if (row) return JSON.parse(row.kdf) as KdfParams;
    const salt = crypto.createHmac("sha256", this.preloginSecret).update(normalizeEmail(email)).digest().subarray(0, 16);
    return { alg: "pbkdf2-sha256", iterations: this.cfg.kdfIterations, salt: salt.toString("base64url") };
  }

  async signUp(input: SignUpInput, opts: { admin?: boolean } = {}): Promise<Account> {
    this.checkKdf(input.kdf);
    const now = Date.now();
    const first = (await this.store.count()) === 0;
    const row: AccountRow = {
      id: crypto.randomUUID(),
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      authHash: await this.hasher.hash(input.authKey),
      kdf: JSON.stringify(input.kdf),
      wrappedVaultKey: input.wrappedVaultKey,
      recoveryAuthHash: await this.hasher.hash(input.recoveryAuthKey),
      recoveryWrappedVaultKey: input.recoveryWrappedVaultKey,
      isAdmin: opts.admin ?? (first && this.cfg.firstUserIsAdmin),
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    if (!(await this.store.insert(row))) {
      throw new ConflictError("An account with this email already exists.", { email: "already registered" });
    }
    return toAccount(row);
  }

  /** Checks the authKey; returns the account and its wrapped vault key for the browser to open. */
  async signIn(email: string, authKey: string, ip: string): Promise<{ account: Account; wrappedVaultKey: string }> {
    const keys: AttemptKeys = { account: normalizeEmail(email), ip };
    await this.guard.check(keys);
    const row = await this.store.byEmail(keys.account);
    const ok = row ? await this.hasher.verify(row.authHash, authKey) : await this.hasher.verifyNothing(authKey);
    if (!ok || !row) {
      await this.guard.recordFailure(keys);
      throw new InvalidCredentialsError();
    }
    await this.guard.recordSuccess(keys);
    return { account: toAccount(row), wrappedVaultKey: row.wrappedVaultKey };
  }

  /** Runs before an account row goes, to remove what belongs to it elsewhere. */
  onDelete(hook: (accountId: string) => Promise<void>): void {
    this.deleteHooks.push(hook);
  }

  async get(id: string): Promise<Account | null> {
    const row = await this.store.byId(id);
    return row ? toAccount(row) : null;
  }

  /**
   * The account for token claims (userinfo, refresh), cached for `ttlMs`: its id and email never
   * change, and a deleted account's tokens are deleted with it, so a stale entry is never served.
   */
  async forClaims(id: string, ttlMs: number): Promise<Account | null> {
    const hit = this.claimsCache.get(id);
    if (hit && hit.until > Date.now()) return hit.account;
    const account = await this.get(id);
    if (account && ttlMs > 0) {
      if (this.claimsCache.size > 100_000) this.claimsCache.clear();
      this.claimsCache.set(id, { account, until: Date.now() + ttlMs });
    }
    return account;
  }

  async getByEmail(email: string): Promise<Account | null> {
    const row = await this.store.byEmail(normalizeEmail(email));
    return row ? toAccount(row) : null;
  }

  async list(): Promise<Account[]> {
    return (await this.store.list()).map(toAccount);
  }

  /** The signed-in holder's key material, to unwrap the vault key again (e.g. before a password change). */
  async keyMaterial(id: string): Promise<{ kdf: KdfParams; wrappedVaultKey: string }> {
    const row = await this.mustGet(id);
    return { kdf: JSON.parse(row.kdf) as KdfParams, wrappedVaultKey: row.wrappedVaultKey };
  }

  /** Re-wraps the vault key under a new password; the current authKey must be proven. */
  async changePassword(id: string, currentAuthKey: string, next: PasswordCredentials, ip: string): Promise<void> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip };
    await this.guard.check(keys);
    if (!(await this.hasher.verify(row.authHash, currentAuthKey))) {
      await this.guard.recordFailure(keys);
      throw new ValidationError("The current password is wrong.", { currentPassword: "wrong password" });
    }
    await this.setPassword(row.id, next);
  }

  /** First step of "forgot password": proves the recovery key and returns the vault key it wraps. */
  async recoveryStart(email: string, recoveryAuthKey: string, ip: string): Promise<{ recoveryWrappedVaultKey: string }> {
    const row = await this.checkRecovery(email, recoveryAuthKey, ip);
    return { recoveryWrappedVaultKey: row.recoveryWrappedVaultKey };
  }

  /** Second step: the recovery key is proven again and the vault key is wrapped under the new password. */
  async recoveryFinish(email: string, recoveryAuthKey: string, next: PasswordCredentials, ip: string): Promise<Account> {
    const row = await this.checkRecovery(email, recoveryAuthKey, ip);
    await this.setPassword(row.id, next);
    return toAccount(row);
  }

  async delete(id: string, authKey: string, ip: string): Promise<void> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip };
    await this.guard.check(keys);
    if (!(await this.hasher.verify(row.authHash, authKey))) {
      await this.guard.recordFailure(keys);
      throw new ValidationError("The password is wrong.", { password: "wrong password" });
    }
    await this.remove(id);
  }

  /** Operator action (CLI): no password needed. */
  async deleteByOperator(id: string): Promise<void> {
    await this.mustGet(id);
    await this.remove(id);
  }

  private async remove(id: string): Promise<void> {
    this.claimsCache.delete(id);
    for (const hook of this.deleteHooks) await hook(id);
    await this.store.delete(id);
  }

  async setAdmin(id: string, isAdmin: boolean): Promise<void> {
    await this.mustGet(id);
    await this.store.update(id, { isAdmin, updatedAt: Date.now() });
  }

  private async checkRecovery(email: string, recoveryAuthKey: string, ip: string): Promise<AccountRow> {
    const keys = { account: normalizeEmail(email), ip };
    await this.guard.check(keys);
    const row = await this.store.byEmail(keys.account);
    const ok = row ? await this.hasher.verify(row.recoveryAuthHash, recoveryAuthKey) : await this.hasher.verifyNothing(recoveryAuthKey);
    if (!ok || !row) {
      await this.guard.recordFailure(keys);
      throw new AppError("invalid_credentials", "The email or recovery key is wrong.", 401);
    }
    return row;
  }

  private async setPassword(id: string, next: PasswordCredentials): Promise<void> {
    this.checkKdf(next.kdf);
    const now = Date.now();
    await this.store.update(id, {
      authHash: await this.hasher.hash(next.authKey),
      kdf: JSON.stringify(next.kdf),
      wrappedVaultKey: next.wrappedVaultKey,
      updatedAt: now,
      passwordChangedAt: now,
    });
  }

  private checkKdf(kdf: KdfParams): void {
    if (kdf.iterations < this.cfg.kdfIterations) {
      throw new ValidationError(`the key derivation must use at least ${this.cfg.kdfIterations} iterations`, {
        "kdf.iterations": `at least ${this.cfg.kdfIterations}`,
      });
    }
  }

  private async mustGet(id: string): Promise<AccountRow> {
    const row = await this.store.byId(id);
    if (!row) throw new NotFoundError("account not found");
    return row;
  }
}
