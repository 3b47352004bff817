// Accounts: sign-up, sign-in, password change, recovery, deletion. The server sees only the
// authKey the browser derived (stored as argon2id), the per-account KDF parameters, and the vault
// key wrapped twice (by the password-derived key and by the recovery key). It never sees the
// password, the master key, the recovery key or the vault key.
import crypto from "node:crypto";
import type { Config } from "../config.js";
import type { AccountStore } from "../db/accounts.js";
import type { InstanceFlagStore } from "../db/admin-claims.js";
import type { KdfMix } from "../db/kdf-mix.js";
import type { AccountRow } from "../db/entities.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { isUniqueViolation } from "../db/errors.js";
import { deviceOf, type BruteForceGuard } from "./brute-force.js";
import type { PasswordHasher } from "./password-hasher.js";
import type { PasskeyChallenge, PasskeyService } from "./passkeys.js";
import type { SignInHistory } from "./sign-in-history.js";

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
  /** False until the holder confirms the recovery key: until then no vault, no sign-in to apps. */
  recoveryKeyConfirmed: boolean;
}

/** A new recovery key made in the browser: its authKey and the vault key wrapped under it. */
export interface RecoveryCredentials {
  recoveryAuthKey: string;
  recoveryWrappedVaultKey: string;
}

/** Refused while the account's recovery key is not confirmed (see AccountService.confirmRecoveryKey). */
export class RecoveryKeyUnconfirmedError extends AppError {
  constructor() {
    super("recovery_key_unconfirmed", "Confirm your recovery key first: open /recovery-key to finish setting up your account.", 403);
  }
}

/** A sign-in: the account and its wrapped vault key, or, with a passkey to present, its challenge. */
export interface SignInResult {
  account: Account;
  /** Answer it only once `passkey` is null (or the passkey step passed). */
  wrappedVaultKey: string;
  passkey: PasskeyChallenge | null;
}

/** The second factor and the history the account console adds (src/services/passkeys.ts, sign-in-history.ts). */
export interface SignInExtras {
  passkeys?: PasskeyService;
  history?: SignInHistory;
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super("invalid_credentials", "The email or password is wrong.", 401);
  }
}

/** The instance would be left without an administrator (409). */
export class LastAdminError extends AppError {
  constructor(message: string) {
    super("last_admin", message, 409);
  }
}

export const normalizeEmail = (email: string) => email.normalize("NFKC").trim().toLowerCase();

/** The instance flag won by whoever creates the first account (see signUp). */
const FIRST_ACCOUNT = "first_account";
/** How long the mix of iteration counts behind unknown emails' prelogin answers is reused. */
const KDF_MIX_TTL_MS = 10 * 60_000;

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  isAdmin: r.isAdmin,
  createdAt: r.createdAt,
  passwordChangedAt: r.passwordChangedAt,
  recoveryKeyConfirmed: r.recoveryConfirmedAt !== null,
});

export class AccountService {
  private readonly deleteHooks: ((accountId: string) => Promise<void>)[] = [];
  /** For claims only (id and email); see `forClaims`. */
  private readonly claimsCache = new Map<string, { account: Account; until: number }>();

  constructor(
    private readonly store: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly guard: BruteForceGuard,
    private readonly cfg: Pick<Config, "kdfIterations" | "firstUserIsAdmin">,
    /** HMAC key for the fake KDF parameters of unknown emails. */
    private readonly preloginSecret: string,
    private readonly flags: InstanceFlagStore,
    /** Accounts per iteration count, for the fake answers (db/kdf-mix.ts). */
    private readonly kdfMix: () => Promise<KdfMix>,
    private readonly extras: SignInExtras = {},
  ) {}

  private mixCache: { until: number; mix: Promise<KdfMix> } | null = null;

  /**
   * KDF parameters to derive with. Unknown emails get stable fake ones, so nothing is revealed:
   * the salt is an HMAC of the email, and the iteration count is drawn (by another HMAC of the
   * email) from the counts real accounts have, in their proportions, so that accounts left on an
   * older KDF_ITERATIONS do not stand out from unknown emails.
   */
  async prelogin(email: string): Promise<KdfParams> {
    const row = await this.store.byEmail(normalizeEmail(email));
    if (row) return JSON.parse(row.kdf) as KdfParams;
    const mac = (label: string) => crypto.createHmac("sha256", this.preloginSecret).update(label).update(normalizeEmail(email)).digest();
    const salt = mac("").subarray(0, 16);
    return { alg: "pbkdf2-sha256", iterations: await this.fakeIterations(mac("iterations\0")), salt: salt.toString("base64url") };
  }

  /** An iteration count picked by `pick` (random-looking bytes) with the accounts' own weights. */
  private async fakeIterations(pick: Buffer): Promise<number> {
    const mix = await this.currentMix();
    const total = mix.reduce((sum, [, n]) => sum + n, 0);
    if (total === 0) return this.cfg.kdfIterations;
    // 48 bits modulo the number of accounts: the bias is below 2^-20 for any real instance.
    let at = pick.readUIntBE(0, 6) % total;
    for (const [iterations, n] of mix) {
      if (at < n) return iterations;
      at -= n;
    }
    return this.cfg.kdfIterations;
  }

  /** The mix, read again at most every KDF_MIX_TTL_MS (one query shared by concurrent callers). */
  private currentMix(): Promise<KdfMix> {
    const now = Date.now();
    if (!this.mixCache || this.mixCache.until <= now) {
      const mix = this.kdfMix();
      this.mixCache = { until: now + KDF_MIX_TTL_MS, mix };
      mix.catch(() => (this.mixCache = null));
    }
    return this.mixCache.mix;
  }

  /** `ip`: the client address, limited to SIGNUP_PER_IP_PER_HOUR attempts (none for the CLI). */
  async signUp(input: SignUpInput, opts: { admin?: boolean; ip?: string } = {}): Promise<Account> {
    this.checkKdf(input.kdf);
    if (opts.ip !== undefined) await this.guard.signUp(opts.ip);
    const id = crypto.randomUUID();
    // "The first account" is reserved before the expensive hashing, by an INSERT into
    // instance_flags that exactly one sign-up wins, on every process sharing the database.
    const first = await this.flags.claim(FIRST_ACCOUNT, id);
    try {
      return await this.insertAccount(id, input, opts.admin ?? (first && this.cfg.firstUserIsAdmin));
    } catch (err) {
      // No account was made after all (e.g. the email was taken): the next sign-up is the first.
      if (first) await this.flags.release(FIRST_ACCOUNT, id);
      throw err;
    }
  }

  private async insertAccount(id: string, input: SignUpInput, isAdmin: boolean): Promise<Account> {
    const now = Date.now();
    const row: AccountRow = {
      id,
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      authHash: await this.hasher.hash(input.authKey),
      kdf: JSON.stringify(input.kdf),
      wrappedVaultKey: input.wrappedVaultKey,
      recoveryAuthHash: await this.hasher.hash(input.recoveryAuthKey),
      recoveryWrappedVaultKey: input.recoveryWrappedVaultKey,
      // Nobody has confirmed this key yet: the holder does, on the sign-up page or at first sign-in.
      recoveryConfirmedAt: null,
      pendingRecoveryAuthHash: null,
      pendingRecoveryWrappedVaultKey: null,
      isAdmin,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    };
    if (!(await this.store.insert(row))) {
      throw new ConflictError("An account with this email already exists.", { email: "already registered" });
    }
    return toAccount(row);
  }

  /**
   * Checks the authKey; returns the account and its wrapped vault key for the browser to open, or,
   * when the account has passkeys, a passkey challenge to answer first (finishPasskeySignIn).
   * `device`: the browser's signed device cookie value, if any (see brute-force.ts).
   */
  async signIn(email: string, authKey: string, ip: string, device?: string, userAgent?: string): Promise<SignInResult> {
    const row = await this.store.byEmail(normalizeEmail(email));
    const keys = { account: normalizeEmail(email), ip, device: deviceOf(device, row?.id) };
    const secondFactor = row && this.extras.passkeys ? await this.extras.passkeys.required(row.id) : false;
    // An unknown email costs the same argon2 work and counts the same as a wrong password.
    const check = () => this.guard.attempt(keys, () => (row ? this.hasher.verify(row.authHash, authKey) : this.hasher.verifyNothing(authKey)), undefined, { keep: secondFactor });
    const ok = await this.recorded(row?.id, "password", { ip, userAgent }, check, !secondFactor);
    if (!ok || !row) throw new InvalidCredentialsError();
    const passkey = secondFactor ? await this.extras.passkeys!.startSignIn(row.id) : null;
    return { account: toAccount(row), wrappedVaultKey: row.wrappedVaultKey, passkey };
  }

  /** The second step of a sign-in with a passkey: `token` is the pending sign-in's, from signIn. */
  async finishPasskeySignIn(token: string | undefined, response: Parameters<PasskeyService["pendingSignIn"]>[1], ip: string, device?: string, userAgent?: string): Promise<{ account: Account; wrappedVaultKey: string }> {
    if (!this.extras.passkeys) throw new NotFoundError("passkeys are not enabled");
    const pending = await this.extras.passkeys.pendingSignIn(token, response);
    const row = await this.mustGet(pending.accountId);
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    const ok = await this.recorded(row.id, "passkey", { ip, userAgent }, () => this.guard.attempt(keys, pending.check));
    if (!ok) throw new AppError("invalid_passkey", "The passkey was not accepted. Enter your password and try again.", 401);
    return { account: toAccount(row), wrappedVaultKey: row.wrappedVaultKey };
  }

  /** Runs a credential check, writing its outcome to the sign-in history (when there is one). */
  private recorded(accountId: string | undefined, method: "password" | "passkey" | "recovery", client: { ip: string; userAgent?: string }, check: () => Promise<boolean>, success = true): Promise<boolean> {
    return this.extras.history ? this.extras.history.around(accountId, method, client, check, { success }) : check();
  }

  /**
   * Checks the current password of a signed-in holder before a sensitive change (counted like a
   * sign-in); ValidationError on `field` when it is wrong.
   */
  async checkPassword(id: string, authKey: string, ip: string, device: string | undefined, field: string): Promise<AccountRow> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    if (!(await this.guard.attempt(keys, () => this.hasher.verify(row.authHash, authKey)))) {
      throw new ValidationError("The current password is wrong.", { [field]: "wrong password" });
    }
    return row;
  }

  /**
   * Moves the account to a new sign-in email. The key derivation does not depend on the email
   * (its salt is random per account), so the vault stays as it is. The unique index on the
   * normalized email decides between parallel claims of one address; `from` guards against a
   * change made meanwhile.
   */
  async setEmail(id: string, from: string, email: string): Promise<void> {
    const patch = { email: email.trim(), emailNormalized: normalizeEmail(email), updatedAt: Date.now() };
    let changed: boolean;
    try {
      changed = await this.store.updateIf(id, { emailNormalized: from }, patch);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError("An account with this email already exists.", { email: "already registered" });
      throw err;
    }
    if (!changed) throw new ConflictError("Your email was changed meanwhile. Reload the page.");
    this.claimsCache.delete(id);
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
   * The account for token claims (userinfo, refresh), cached for `ttlMs`: its id never changes, its
   * email only through setEmail (which drops this process's entry; others follow within `ttlMs`),
   * and a deleted account's tokens are deleted with it, so a deleted account is never served.
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
  async changePassword(id: string, currentAuthKey: string, next: PasswordCredentials, ip: string, device?: string): Promise<void> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    if (!(await this.guard.attempt(keys, () => this.hasher.verify(row.authHash, currentAuthKey)))) {
      throw new ValidationError("The current password is wrong.", { currentPassword: "wrong password" });
    }
    await this.setPassword(row.id, next);
  }

  /**
   * Raises the KDF cost of an account that derives with fewer iterations than new accounts do
   * (the browser does it at sign-in, with the password at hand). Same password, so sessions stay.
   * The write only lands if the password did not change meanwhile, so an old tab cannot undo it.
   */
  async upgradeKdf(id: string, currentAuthKey: string, next: PasswordCredentials, ip: string, device?: string): Promise<void> {
    const row = await this.mustGet(id);
    this.checkKdf(next.kdf);
    const current = (JSON.parse(row.kdf) as KdfParams).iterations;
    if (next.kdf.iterations <= current) {
      throw new ValidationError(`the key derivation already uses ${current} iterations; an upgrade must use more`, {
        "kdf.iterations": `more than ${current}`,
      });
    }
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    if (!(await this.guard.attempt(keys, () => this.hasher.verify(row.authHash, currentAuthKey)))) {
      throw new ValidationError("The current password is wrong.", { currentAuthKey: "wrong password" });
    }
    const patch = { authHash: await this.hasher.hash(next.authKey), kdf: JSON.stringify(next.kdf), wrappedVaultKey: next.wrappedVaultKey, updatedAt: Date.now() };
    if (!(await this.store.updateIf(id, { authHash: row.authHash }, patch))) {
      throw new ConflictError("The password was changed meanwhile. Sign in again.");
    }
  }

  /** First step of "forgot password": proves the recovery key and returns the vault key it wraps. */
  async recoveryStart(email: string, recoveryAuthKey: string, ip: string, device?: string): Promise<{ recoveryWrappedVaultKey: string }> {
    const row = await this.checkRecovery(email, recoveryAuthKey, ip, device);
    return { recoveryWrappedVaultKey: row.recoveryWrappedVaultKey };
  }

  /** Second step: the recovery key is proven again and the vault key is wrapped under the new password. */
  async recoveryFinish(email: string, recoveryAuthKey: string, next: PasswordCredentials, ip: string, device?: string): Promise<Account> {
    const row = await this.checkRecovery(email, recoveryAuthKey, ip, device);
    await this.setPassword(row.id, next);
    // Whoever just used the recovery key has plainly kept it; a new key made with the old password
    // and never confirmed goes (whoever made it may be why the password was reset).
    await this.store.update(row.id, { recoveryConfirmedAt: row.recoveryConfirmedAt ?? Date.now(), pendingRecoveryAuthHash: null, pendingRecoveryWrappedVaultKey: null });
    await this.extras.history?.record(row.id, "success", "recovery", { ip });
    return { ...toAccount(row), recoveryKeyConfirmed: true };
  }

  /**
   * A new recovery key, made in the browser from the vault key opened with the password. It waits
   * beside the current one until the holder confirms it (confirmRecoveryKey), so a key the holder
   * never wrote down can never be the only one; a newer request replaces a pending one.
   */
  async newRecoveryKey(id: string, currentAuthKey: string, next: RecoveryCredentials, ip: string, device?: string): Promise<void> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    if (!(await this.guard.attempt(keys, () => this.hasher.verify(row.authHash, currentAuthKey)))) {
      throw new ValidationError("The current password is wrong.", { password: "wrong password" });
    }
    await this.store.update(id, {
      pendingRecoveryAuthHash: await this.hasher.hash(next.recoveryAuthKey),
      pendingRecoveryWrappedVaultKey: next.recoveryWrappedVaultKey,
      updatedAt: Date.now(),
    });
  }

  /**
   * The holder proves they hold a recovery key (the browser derives its authKey once they have
   * typed part of it back). A pending key replaces the current one in one compare-and-set UPDATE,
   * so the old key stops working at that instant; the account's own first key is just marked.
   */
  async confirmRecoveryKey(id: string, recoveryAuthKey: string, ip = "", device?: string): Promise<void> {
    const row = await this.mustGet(id);
    const now = Date.now();
    // Each try costs argon2 work, so tries count like recovery-key guesses (brute-force.ts).
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    let match: "pending" | "first" | null = null;
    const ok = await this.guard.attempt(keys, async () => {
      if (row.pendingRecoveryAuthHash && (await this.hasher.verify(row.pendingRecoveryAuthHash, recoveryAuthKey))) match = "pending";
      else if (row.recoveryConfirmedAt === null && (await this.hasher.verify(row.recoveryAuthHash, recoveryAuthKey))) match = "first";
      return match !== null;
    });
    if (!ok) throw new ValidationError("This is not the recovery key this page showed. Make a new one.", { recoveryKey: "does not match" });
    if (match === "pending") {
      const swapped = await this.store.updateIf(
        id,
        { pendingRecoveryAuthHash: row.pendingRecoveryAuthHash },
        {
          recoveryAuthHash: row.pendingRecoveryAuthHash!,
          recoveryWrappedVaultKey: row.pendingRecoveryWrappedVaultKey!,
          pendingRecoveryAuthHash: null,
          pendingRecoveryWrappedVaultKey: null,
          recoveryConfirmedAt: now,
          updatedAt: now,
        },
      );
      if (!swapped) throw new ConflictError("A newer recovery key was made meanwhile, in another tab. Confirm that one.");
      return;
    }
    await this.store.update(id, { recoveryConfirmedAt: now, updatedAt: now });
  }

  async delete(id: string, authKey: string, ip: string, device?: string): Promise<void> {
    const row = await this.mustGet(id);
    const keys = { account: row.emailNormalized, ip, device: deviceOf(device, row.id) };
    if (!(await this.guard.attempt(keys, () => this.hasher.verify(row.authHash, authKey)))) {
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
    // Reserve first: an admin is demoted (refused for the last one) before anything is deleted.
    await this.demote(id, "delete this account");
    this.claimsCache.delete(id);
    for (const hook of this.deleteHooks) await hook(id);
    await this.store.delete(id);
  }

  async setAdmin(id: string, isAdmin: boolean): Promise<void> {
    await this.mustGet(id);
    if (!isAdmin) return this.demote(id, "take its administrator rights away");
    await this.store.update(id, { isAdmin, updatedAt: Date.now() });
  }

  /** Takes admin rights away, atomically refusing for the instance's last administrator. */
  private async demote(id: string, what: string): Promise<void> {
    if ((await this.store.demoteUnlessLast(id)) !== "last") return;
    throw new LastAdminError(`This is the only administrator account, so you cannot ${what}. Make another account an administrator first (passport users promote <email>, or passport admin-link).`);
  }

  /** Recovery guesses count with sign-in's, under the same keys (a device keeps its own). */
  private async checkRecovery(email: string, recoveryAuthKey: string, ip: string, device?: string): Promise<AccountRow> {
    const row = await this.store.byEmail(normalizeEmail(email));
    const keys = { account: normalizeEmail(email), ip, device: deviceOf(device, row?.id) };
    const check = () => this.guard.attempt(keys, () => (row ? this.hasher.verify(row.recoveryAuthHash, recoveryAuthKey) : this.hasher.verifyNothing(recoveryAuthKey)));
    // Its success is written once, when the new password is set (recoveryFinish).
    const ok = await this.recorded(row?.id, "recovery", { ip }, check, false);
    if (!ok || !row) throw new AppError("invalid_credentials", "The email or recovery key is wrong.", 401);
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
