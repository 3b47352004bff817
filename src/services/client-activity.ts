// What happened to and with a client: the log of changes to its registration (who, when, which
// fields: never values, so a secret cannot end up in it) and its activity per UTC day (sign-ins,
// shares by document type, error reports received, refused requests). Counters are kept per day as
// they happen, so reading the last two weeks is one small query whatever the traffic; the recent
// events behind them (what and when, never which holder) are kept EVENT_RETENTION_DAYS.
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
  failures: number;
}
export type ClientEventKind = "signin" | "share" | "error_report" | "failure";
/** One recent event: what and when, never who. */
export interface ClientEvent {
  at: number;
  kind: ClientEventKind;
  types?: string[];
  errors?: number;
  error?: string;
  description?: string;
}

/** How long a client's recent events are kept (the daily counters stay longer). */
export const EVENT_RETENTION_DAYS = 30;
const DESCRIPTION_MAX = 300;

const SIGNIN = "signin";
const ERROR_REPORT = "error_report";
const FAILURE = "failure";
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

  async countSignIn(clientId: string): Promise<void> {
    await this.store.increment(clientId, utcDay(this.now()), [SIGNIN]);
    await this.event(clientId, "signin", {});
  }

  async countShare(clientId: string, types: string[]): Promise<void> {
    const unique = [...new Set(types)];
    await this.store.increment(clientId, utcDay(this.now()), unique.map((t) => SHARE + t));
    await this.event(clientId, "share", { types: unique });
  }

  async countErrorReport(clientId: string, errors = 1): Promise<void> {
    await this.store.increment(clientId, utcDay(this.now()), [ERROR_REPORT]);
    await this.event(clientId, "error_report", { errors });
  }

  /** An authorization or token request of this client that Passport refused (an OAuth error). */
  async countFailure(clientId: string, error: string, description: string | undefined): Promise<void> {
    await this.store.increment(clientId, utcDay(this.now()), [FAILURE]);
    await this.event(clientId, "failure", { error: error.slice(0, 64), ...(description ? { description: description.slice(0, DESCRIPTION_MAX) } : {}) });
  }

  private event(clientId: string, kind: ClientEventKind, detail: Omit<ClientEvent, "at" | "kind">): Promise<void> {
    return this.store.addEvent({ clientId, at: this.now(), kind, detail: JSON.stringify(detail) });
  }

  /** The newest events of a client, newest first. */
  async recent(clientId: string, limit = 20): Promise<ClientEvent[]> {
    const rows = await this.store.recentEvents(clientId, Math.max(1, Math.min(limit, 200)));
    return rows.map((r) => ({ at: r.at, kind: r.kind as ClientEventKind, ...(JSON.parse(r.detail) as Omit<ClientEvent, "at" | "kind">) }));
  }

  /** Drops events older than EVENT_RETENTION_DAYS (the periodic purge). */
  purgeEvents(): Promise<number> {
    return this.store.purgeEvents(this.now() - EVENT_RETENTION_DAYS * DAY_MS);
  }

  /** The last `days` UTC days, oldest first, days without activity included as zeros. */
  async activity(clientId: string, days = 14): Promise<ClientDay[]> {
    const n = Math.max(1, Math.min(Math.floor(days), 366));
    const today = this.now();
    const out: ClientDay[] = [];
    for (let i = n - 1; i >= 0; i--) out.push({ day: utcDay(today - i * DAY_MS), signIns: 0, shares: {}, errorReports: 0, failures: 0 });
    const byDay = new Map(out.map((d) => [d.day, d]));
    for (const row of await this.store.statsSince(clientId, out[0]!.day)) {
      const d = byDay.get(row.day);
      if (!d) continue;
      const count = Number(row.count);
      if (row.kind === SIGNIN) d.signIns += count;
      else if (row.kind === ERROR_REPORT) d.errorReports += count;
      else if (row.kind === FAILURE) d.failures += count;
      else if (row.kind.startsWith(SHARE)) d.shares[row.kind.slice(SHARE.length)] = count;
    }
    return out;
  }

  /** A deleted client's counters and events go with it; its change log stays (see docs/decisions.md). */
  forget(clientIds: string[]): Promise<void> {
    return this.store.deleteStats(clientIds);
  }
}
