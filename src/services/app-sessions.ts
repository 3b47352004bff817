// The holder's session with Passport itself (home page, admin, interaction sign-in). The cookie
// carries a random token; the database keeps only its SHA-256, so a leaked table opens nothing.
import crypto from "node:crypto";
import type { AccountStore } from "../db/accounts.js";

export interface AppSession {
  idHash: string;
  accountId: string;
  authTime: number;
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export class AppSessionService {
  constructor(
    private readonly store: AccountStore,
    private readonly ttlSeconds: number,
  ) {}

  async create(accountId: string, now = Date.now()): Promise<{ token: string; session: AppSession }> {
    const token = crypto.randomBytes(32).toString("base64url");
    const row = { idHash: sha256(token), accountId, authTime: now, createdAt: now, expiresAt: now + this.ttlSeconds * 1000 };
    await this.store.insertSession(row);
    return { token, session: row };
  }

  async resolve(token: string | undefined, now = Date.now()): Promise<AppSession | null> {
    if (!token || token.length > 100) return null;
    const row = await this.store.findSession(sha256(token));
    if (!row || row.expiresAt <= now) return null;
    return { idHash: row.idHash, accountId: row.accountId, authTime: row.authTime };
  }

  destroy(session: AppSession): Promise<void> {
    return this.store.deleteSession(session.idHash);
  }

  endOthers(session: AppSession): Promise<void> {
    return this.store.deleteSessionsOf(session.accountId, session.idHash);
  }

  endAll(accountId: string): Promise<void> {
    return this.store.deleteSessionsOf(accountId);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purgeSessions(now);
  }
}
