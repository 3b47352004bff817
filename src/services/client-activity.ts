// What happened to and with a client: the log of changes to its registration (who, when, which
// fields: never values, so a secret cannot end up in it) and its activity per UTC day (sign-ins,
// shares by document type, error reports received). Counters are kept per day as they happen, so
// reading the last two weeks is one small query whatever the traffic.
import type { ClientActivityStore } from "../db/client-activity.js";

export type ChangeVia = "admin" | "console" | "cli" | "registration";
export interface ClientActor {
  accountId?: string;
  via: ChangeVia;
}
export interface ClientChange {
  at: number;
  actor: string | null;
  via: string;
  action: string;
  fields: string[];
}
export interface ClientDay {
  day: string;
  signIns: number;
  shares: Record<string, number>;
  errorReports: number;
}

const SIGNIN = "signin";
const ERROR_REPORT = "error_report";
const SHARE = "share:";
const DAY_MS = 86_400_000;

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class ClientActivityService {
  constructor(
    private readonly store: ClientActivityStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs one change. `fields` are field names only; the caller never passes a value. */
  async record(clientId: string, actor: ClientActor, action: string, fields: string[]): Promise<void> {
    await this.store.addChange({ clientId, at: this.now(), actorAccountId: actor.accountId ?? null, via: actor.via, action, fields: JSON.stringify([...new Set(fields)]) });
  }

  async changes(clientId: string, limit = 50): Promise<ClientChange[]> {
    return (await this.store.listChanges(clientId, limit)).map((r) => ({ at: r.at, actor: r.actorAccountId, via: r.via, action: r.action, fields: JSON.parse(r.fields) as string[] }));
  }

  countSignIn(clientId: string): Promise<void> {
    return this.store.increment(clientId, utcDay(this.now()), [SIGNIN]);
  }

  countShare(clientId: string, types: string[]): Promise<void> {
    return this.store.increment(clientId, utcDay(this.now()), [...new Set(types)].map((t) => SHARE + t));
  }

  countErrorReport(clientId: string): Promise<void> {
    return this.store.increment(clientId, utcDay(this.now()), [ERROR_REPORT]);
  }

  /** The last `days` UTC days, oldest first, days without activity included as zeros. */
  async activity(clientId: string, days = 14): Promise<ClientDay[]> {
    const n = Math.max(1, Math.min(Math.floor(days), 366));
    const today = this.now();
    const out: ClientDay[] = [];
    for (let i = n - 1; i >= 0; i--) out.push({ day: utcDay(today - i * DAY_MS), signIns: 0, shares: {}, errorReports: 0 });
    const byDay = new Map(out.map((d) => [d.day, d]));
    for (const row of await this.store.statsSince(clientId, out[0]!.day)) {
      const d = byDay.get(row.day);
      if (!d) continue;
      const count = Number(row.count);
      if (row.kind === SIGNIN) d.signIns += count;
      else if (row.kind === ERROR_REPORT) d.errorReports += count;
      else if (row.kind.startsWith(SHARE)) d.shares[row.kind.slice(SHARE.length)] = count;
    }
    return out;
  }

  /** A deleted client's counters go with it; its change log stays (see docs/decisions.md). */
  forget(clientIds: string[]): Promise<void> {
    return this.store.deleteStats(clientIds);
  }
}
