// Limits on password and recovery-key guesses, modelled on Keycloak's brute-force detection: a few
// free failures, then one attempt per wait, the wait doubling up to a maximum (a temporary lock),
// forgotten after a quiet period. Counted per account (by email, whether or not it exists) and per
// client address, and RESERVED before the argon2 check (src/services/rate-limit.ts): a burst of
// parallel guesses cannot pass together, and every process sharing the database sees the count.
//
// Device cookies (OWASP "Slow down online guessing attacks with device cookies"): a browser that
// signed in to an account before presents a signed cookie naming the account and a random device
// id. Its attempts count under that device alone, so someone failing on the holder's email locks
// out everyone else but not the holder's own browser, and failures from the device lock only it.
import crypto from "node:crypto";
import type { Config } from "../config.js";
import type { CounterRule, RateLimiter } from "./rate-limit.js";

export interface AttemptKeys {
  /** The normalized email, known or not. */
  account: string;
  ip: string;
  /** The device id of a device cookie already checked against this account (see deviceOf). */
  device?: string;
}

export class BruteForceGuard {
  private readonly accountRule: CounterRule;
  private readonly ipRule: CounterRule;
  private readonly signUpRule: CounterRule;

  constructor(
    private readonly limiter: RateLimiter,
    cfg: Config["bruteForce"],
  ) {
    const backoff = { baseMs: cfg.waitIncrementSeconds * 1000, maxMs: cfg.maxWaitSeconds * 1000 };
    const quiet = { windowMs: cfg.resetSeconds * 1000, reset: "quiet" as const, backoff };
    this.accountRule = { limit: cfg.freeFailures, ...quiet };
    this.ipRule = { limit: cfg.ipFreeFailures, ...quiet };
    this.signUpRule = { limit: cfg.signUpsPerIpPerHour, windowMs: 3_600_000 };
  }

  /**
   * Runs `check` (the argon2 verification) on a reserved attempt. Throws TooManyAttemptsError,
   * before `check` runs, while the keys are locked. A failed check keeps its reservation (it was
   * the failure); a passed one gives it back and clears the account's (or device's) count.
   * `keep`: a passed check only gives its reservation back and clears nothing, for a password
   * that still awaits its second factor (the count clears when that one passes too).
   */
  async attempt(keys: AttemptKeys, check: () => Promise<boolean>, now = Date.now(), opts: { keep?: boolean } = {}): Promise<boolean> {
    // A known device has its own allowance and needs no address limit: its cookie names one account.
    const own = keys.device ? `signin:device:${keys.device}` : `signin:account:${keys.account}`;
    const limits = [{ key: own, rule: this.accountRule }];
    if (!keys.device) limits.push({ key: `signin:ip:${keys.ip}`, rule: this.ipRule });
    const ticket = await this.limiter.reserve(limits, undefined, now);
    let ok = false;
    try {
      ok = await check();
    } finally {
      // The address keeps its count of failures, so one valid account cannot reset it.
      if (ok) {
        if (!opts.keep) await ticket.clear(own);
        await ticket.release();
      }
    }
    return ok;
  }

  /** Counts a sign-up from `ip` before its hashing; every attempt counts, taken emails (409) too. */
  async signUp(ip: string, now = Date.now()): Promise<void> {
    await this.limiter.reserve([{ key: `signup:ip:${ip}`, rule: this.signUpRule }], "Too many sign-ups from this address.", now);
  }

  purge(now = Date.now()): Promise<number> {
    return this.limiter.purge(now);
  }
}

/** The device id in a (signature-checked) device cookie value, if it names this account. */
export function deviceOf(cookie: string | undefined, accountId: string | undefined): string | undefined {
  if (!cookie || !accountId) return undefined;
  const [account, device] = cookie.split(".");
  return account === accountId && device && /^[\w-]{22}$/.test(device) ? device : undefined;
}

/** The device cookie value to keep after a success: this device's id if it had one, else a new one. */
export function deviceCookieValue(accountId: string, current?: string): string {
  return `${accountId}.${deviceOf(current, accountId) ?? crypto.randomBytes(16).toString("base64url")}`;
}
