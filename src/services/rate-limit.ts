// Limits as services use them: reserve an attempt under one or more keys BEFORE the costly or
// irreversible work, then keep it (it counts), release it (it should not count) or clear the key.
// Built on the atomic counters of src/db/attempt-counters.ts, so a limit holds under parallel
// requests and across processes sharing the database.
//
//   const ticket = await limiter.reserve([
//     { key: `send:account:${id}`, rule: { limit: 5, windowMs: 3_600_000 } },
//     { key: `send:ip:${ip}`, rule: { limit: 20, windowMs: 3_600_000 } },
//   ], "Too many codes sent.");          // throws TooManyAttemptsError (429, Retry-After) if any key is blocked
//   await sendTheCode();                 // the reservation already counts
//   // or: await ticket.release()        // give it back (e.g. the password was right)
//   // or: await ticket.clear(key)       // forget that key's count altogether
//
// All keys or none: when one key refuses, the ones already reserved are given back, so a refused
// attempt counts nowhere. Keys share one table: prefix them by purpose ("signin:", "signup:", ...).
import { type AttemptCounterStore, type CounterRule, type Reservation } from "../db/attempt-counters.js";
import { TooManyAttemptsError } from "../errors.js";

export type { CounterRule } from "../db/attempt-counters.js";

export interface Limit {
  key: string;
  rule: CounterRule;
}

export interface Ticket {
  /** Gives back every reservation of this ticket. */
  release(): Promise<void>;
  /** Gives back the reservation under `key` only. */
  releaseKey(key: string): Promise<void>;
  /** Forgets everything counted under `key` (this attempt and earlier ones). */
  clear(key: string): Promise<void>;
}

export class RateLimiter {
  constructor(private readonly store: AttemptCounterStore) {}

  /** Reserves one attempt under every limit, or throws TooManyAttemptsError with the wait. */
  async reserve(limits: Limit[], what?: string, now = Date.now()): Promise<Ticket> {
    const held: { limit: Limit; r: Reservation }[] = [];
    for (const limit of limits) {
      const r = await this.store.reserve(limit.key, limit.rule, now);
      if (!r.ok) {
        for (const h of held) await this.store.release(h.limit.key, h.limit.rule, h.r);
        throw new TooManyAttemptsError(Math.ceil(r.retryAfterMs / 1000), what);
      }
      held.push({ limit, r });
    }
    const give = async (h: (typeof held)[number]) => {
      held.splice(held.indexOf(h), 1);
      await this.store.release(h.limit.key, h.limit.rule, h.r);
    };
    return {
      release: async () => {
        for (const h of [...held]) await give(h);
      },
      releaseKey: async (key) => {
        const h = held.find((x) => x.limit.key === key);
        if (h) await give(h);
      },
      clear: async (key) => {
        const i = held.findIndex((x) => x.limit.key === key);
        if (i >= 0) held.splice(i, 1);
        await this.store.clear(key);
      },
    };
  }

  /** Forgets a key outside of any attempt (e.g. an operator unlocks an account). */
  clear(key: string): Promise<void> {
    return this.store.clear(key);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purge(now);
  }
}
