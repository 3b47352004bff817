// Failed sign-in limits, per account (by email, whether or not it exists) and per client address,
// modelled on Keycloak's brute-force detection: a few free failures, then a wait that doubles with
// each failure up to a maximum (a temporary lock), forgotten after a quiet period.
import type { Config } from "../config.js";
import type { LoginFailureStore } from "../db/login-failures.js";
import { TooManyAttemptsError } from "../errors.js";

export interface AttemptKeys {
  account: string;
  ip: string;
}

export class BruteForceGuard {
  constructor(
    private readonly store: LoginFailureStore,
    private readonly cfg: Config["bruteForce"],
  ) {}

  /** Throws TooManyAttemptsError while either key is locked. */
  async check(keys: AttemptKeys, now = Date.now()): Promise<void> {
    for (const key of this.keysOf(keys)) {
      const row = await this.store.get(key);
      if (row && row.lockedUntil > now) throw new TooManyAttemptsError(Math.ceil((row.lockedUntil - now) / 1000));
    }
  }

  async recordFailure(keys: AttemptKeys, now = Date.now()): Promise<void> {
    const [accountKey, ipKey] = this.keysOf(keys);
    await this.bump(accountKey, this.cfg.freeFailures, now);
    await this.bump(ipKey, this.cfg.ipFreeFailures, now);
  }

  /** Success clears the account's counter; the address keeps its own, so one valid account cannot reset it. */
  async recordSuccess(keys: AttemptKeys): Promise<void> {
    await this.store.clear(this.keysOf(keys)[0]);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purgeOlderThan(now - this.cfg.resetSeconds * 1000);
  }

  private keysOf(keys: AttemptKeys): [string, string] {
    return [`account:${keys.account}`, `ip:${keys.ip}`];
  }

  private async bump(key: string, free: number, now: number): Promise<void> {
    const row = await this.store.get(key);
    const stale = !row || row.lastFailureAt + this.cfg.resetSeconds * 1000 < now;
    const failures = stale ? 1 : row.failures + 1;
    // The free-th failure starts the first wait: with 5 free failures, the 6th attempt waits.
    const over = failures - free + 1;
    const waitMs = over > 0 ? Math.min(this.cfg.waitIncrementSeconds * 2 ** (over - 1), this.cfg.maxWaitSeconds) * 1000 : 0;
    await this.store.put({ key, failures, lastFailureAt: now, lockedUntil: waitMs ? now + waitMs : 0 });
  }
}
