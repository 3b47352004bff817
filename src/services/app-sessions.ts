// The holder's session with Passport itself (home page, admin, interaction sign-in). The cookie
// carries a random token; the database keeps only its SHA-256, so a leaked table opens nothing.
//
// The account console lists these sessions (device, address, last seen) and ends them one by one
// or all but this one. Ending a session also ends the oidc-provider session the same browser
// holds (linked when the browser shows both cookies), so no relying party gets a silent sign-in
// from it; the login policy's "app_session_ended" check refuses one anyway (src/oidc/provider.ts).
import crypto from "node:crypto";
import type { AccountStore } from "../db/accounts.js";
import type { AppSessionRow } from "../db/entities.js";
import { type OidcStore, storedId } from "../db/oidc-store.js";
import { NotFoundError } from "../errors.js";
import { describeUserAgent, storedUserAgent } from "./user-agent.js";

export interface AppSession {
  idHash: string;
  accountId: string;
  authTime: number;
  lastSeenAt: number | null;
  ip: string | null;
  providerSession: string | null;
}

/** Where a request comes from: its address and its User-Agent header. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** A session as the holder sees it in the account console. */
export interface SessionView {
  /** A handle for "sign out this session": not the token, not the stored hash. */
  id: string;
  current: boolean;
  device: string;
  ip: string | null;
  createdAt: number;
  lastSeenAt: number;
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const handleOf = (idHash: string) => crypto.createHash("sha256").update(`handle:${idHash}`).digest("base64url").slice(0, 22);
/** "Last seen" is written at most this often per session (a write per request is not worth it). */
const SEEN_EVERY_MS = 60_000;

const toSession = (r: AppSessionRow): AppSession => ({
  idHash: r.idHash,
  accountId: r.accountId,
  authTime: r.authTime,
  lastSeenAt: r.lastSeenAt,
  ip: r.ip,
  providerSession: r.providerSession,
});

export class AppSessionService {
  constructor(
    private readonly store: AccountStore,
    private readonly ttlSeconds: number,
    private readonly oidc: OidcStore,
  ) {}

  async create(accountId: string, client?: ClientInfo, now = Date.now()): Promise<{ token: string; session: AppSession }> {
    const token = crypto.randomBytes(32).toString("base64url");
    const row: AppSessionRow = {
      idHash: sha256(token),
      accountId,
      authTime: now,
      createdAt: now,
      expiresAt: now + this.ttlSeconds * 1000,
      ip: client?.ip.slice(0, 64) ?? null,
      userAgent: storedUserAgent(client?.userAgent),
      lastSeenAt: now,
      providerSession: null,
    };
    await this.store.insertSession(row);
    return { token, session: toSession(row) };
  }

  async resolve(token: string | undefined, now = Date.now()): Promise<AppSession | null> {
    if (!token || token.length > 100) return null;
    const row = await this.store.findSession(sha256(token));
    if (!row || row.expiresAt <= now) return null;
    return toSession(row);
  }

  /**
   * Notes a request of the session: its address and time (at most once a minute), and the
   * oidc-provider session cookie the browser holds, so that ending this session ends that one too.
   */
  async seen(session: AppSession, client: ClientInfo, providerCookie: string | undefined, now = Date.now()): Promise<void> {
    const patch: Parameters<AccountStore["updateSession"]>[1] = {};
    const provider = providerCookie && providerCookie.length <= 100 ? storedId("Session", providerCookie) : null;
    if (provider && provider !== session.providerSession) patch.providerSession = provider;
    if (now - (session.lastSeenAt ?? 0) >= SEEN_EVERY_MS || client.ip !== session.ip) {
      Object.assign(patch, { lastSeenAt: now, ip: client.ip.slice(0, 64) });
      const ua = storedUserAgent(client.userAgent);
      if (ua) patch.userAgent = ua;
    }
    if (Object.keys(patch).length) await this.store.updateSession(session.idHash, patch);
  }

  async list(accountId: string, current: AppSession | null, now = Date.now()): Promise<SessionView[]> {
    const rows = await this.store.listSessions(accountId, now);
    return rows.map((r) => ({
      id: handleOf(r.idHash),
      current: r.idHash === current?.idHash,
      device: describeUserAgent(r.userAgent).label,
      ip: r.ip,
      createdAt: r.createdAt,
      lastSeenAt: r.lastSeenAt ?? r.createdAt,
    }));
  }

  /**
   * "Sign out" on one session of the account's list; NotFoundError when it is not (or no longer)
   * there. True when it was `current` itself.
   */
  async endOne(accountId: string, handle: string, current: AppSession | null, now = Date.now()): Promise<boolean> {
    const row = (await this.store.listSessions(accountId, now)).find((r) => handleOf(r.idHash) === handle);
    if (!row) throw new NotFoundError("This session has already ended.");
    await this.destroy(toSession(row));
    return row.idHash === current?.idHash;
  }

  async destroy(session: AppSession): Promise<void> {
    await this.store.deleteSession(session.idHash);
    if (session.providerSession) await this.oidc.destroySessions([session.providerSession]);
  }

  /** "Sign out everywhere else": every other session and every provider session but this browser's. */
  async endOthers(session: AppSession): Promise<void> {
    await this.store.deleteSessionsOf(session.accountId, session.idHash);
    await this.oidc.destroySessions(session.providerSession ? [session.providerSession] : [], session.accountId);
  }

  async endAll(accountId: string): Promise<void> {
    await this.store.deleteSessionsOf(accountId);
    await this.oidc.destroySessions([], accountId);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purgeSessions(now);
  }
}
