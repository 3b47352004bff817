// The holder's sign-in history (the account console): successes, wrong passwords or passkeys, and
// locks, with time, address and browser. Only attempts on an existing account are kept (an
// unknown email has no one to show them to), for SIGNIN_HISTORY_DAYS.
//
// The rows stay bounded: failures are bounded by the brute-force limits themselves, and a locked
// account refuses without limit, so a lock is written at most once a minute per account (a
// reservation in the atomic counters decides which request writes it).
import crypto from "node:crypto";
import type { SignInEventStore } from "../db/sign-in-events.js";
import type { SignInEventRow } from "../db/entities.js";
import { TooManyAttemptsError } from "../errors.js";
import type { RateLimiter } from "./rate-limit.js";
import { describeUserAgent, storedUserAgent } from "./user-agent.js";

export type SignInOutcome = SignInEventRow["outcome"];
export type SignInMethod = SignInEventRow["method"];

export interface SignInEventView {
  at: number;
  outcome: SignInOutcome;
  method: SignInMethod;
  ip: string;
  device: string;
}

const DAY_MS = 86_400_000;
const LOCK_NOTE_MS = 60_000;
/** Rows shown on the account page. */
export const HISTORY_SHOWN = 50;

export class SignInHistory {
  constructor(
    private readonly store: SignInEventStore,
    private readonly limiter: RateLimiter,
    private readonly retentionDays: number,
  ) {}

  async record(accountId: string, outcome: SignInOutcome, method: SignInMethod, client: { ip: string; userAgent?: string }, now = Date.now()): Promise<void> {
    if (outcome === "locked" && !(await this.firstLockNote(accountId, now))) return;
    await this.store.insert({
      id: crypto.randomUUID(),
      accountId,
      at: now,
      outcome,
      method,
      ip: client.ip.slice(0, 64),
      userAgent: storedUserAgent(client.userAgent),
    });
  }

  /**
   * Runs a credential check and writes its outcome. `check` is the brute-force guard's attempt:
   * true/false for success/failure, TooManyAttemptsError (rethrown) while the account is locked.
   * `success: false` leaves a passed check unwritten (a password that still awaits its passkey).
   */
  async around(accountId: string | undefined, method: SignInMethod, client: { ip: string; userAgent?: string }, check: () => Promise<boolean>, opts: { success?: boolean } = {}): Promise<boolean> {
    let ok: boolean;
    try {
      ok = await check();
    } catch (err) {
      if (accountId && err instanceof TooManyAttemptsError) await this.record(accountId, "locked", method, client);
      throw err;
    }
    if (accountId && (!ok || opts.success !== false)) await this.record(accountId, ok ? "success" : "failure", method, client);
    return ok;
  }

  async list(accountId: string): Promise<SignInEventView[]> {
    return (await this.store.recent(accountId, HISTORY_SHOWN)).map((r) => ({
      at: r.at,
      outcome: r.outcome,
      method: r.method,
      ip: r.ip,
      device: describeUserAgent(r.userAgent).label,
    }));
  }

  deleteAccount(accountId: string): Promise<void> {
    return this.store.deleteAccount(accountId);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purge(now - this.retentionDays * DAY_MS);
  }

  private async firstLockNote(accountId: string, now: number): Promise<boolean> {
    try {
      await this.limiter.reserve([{ key: `history:locked:${accountId}`, rule: { limit: 1, windowMs: LOCK_NOTE_MS } }], undefined, now);
      return true;
    } catch (err) {
      if (err instanceof TooManyAttemptsError) return false;
      throw err;
    }
  }
}
