// One-time admin links (finding 8): the operator runs `passport admin-link`, which prints a link;
// the signed-in account that opens it and confirms becomes an administrator. Only a SHA-256 of the
// token is stored (a copy of the database yields no usable link); a link expires, and is spent by
// one atomic UPDATE, so two accounts racing for it cannot both win.
import crypto from "node:crypto";
import type { AdminLinkStore } from "../db/admin-claims.js";
import { AppError } from "../errors.js";

export const ADMIN_LINK_PATH = "/account/admin-link";
/** Minutes a link stays valid unless the operator says otherwise. */
export const ADMIN_LINK_DEFAULT_MINUTES = 60;

export class AdminLinkError extends AppError {
  constructor(reason: "invalid" | "used" | "expired") {
    const [status, message] = {
      invalid: [404, "This admin link is not valid. Check that it was copied whole, or ask the operator for a new one (passport admin-link)."],
      used: [410, "This admin link has already been used. Ask the operator for a new one (passport admin-link)."],
      expired: [410, "This admin link has expired. Ask the operator for a new one (passport admin-link)."],
    }[reason] as [number, string];
    super(`admin_link_${reason}`, message, status);
  }
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export class AdminLinkService {
  constructor(
    private readonly store: AdminLinkStore,
    private readonly issuer: string,
  ) {}

  /** A new link; the token exists only in the returned URL. `now` lets tests make an old one. */
  async issue(opts: { ttlMinutes?: number; now?: number } = {}): Promise<{ url: string; expiresAt: number }> {
    const now = opts.now ?? Date.now();
    const token = crypto.randomBytes(32).toString("base64url");
    const expiresAt = now + (opts.ttlMinutes ?? ADMIN_LINK_DEFAULT_MINUTES) * 60_000;
    await this.store.insert({ tokenHash: hash(token), createdAt: now, expiresAt, usedAt: null, usedBy: null });
    return { url: `${this.issuer}${ADMIN_LINK_PATH}?token=${token}`, expiresAt };
  }

  /** Throws AdminLinkError unless the link can still be used (shown before asking to confirm). */
  async check(token: string, now = Date.now()): Promise<void> {
    const row = TOKEN.test(token) ? await this.store.get(hash(token)) : null;
    if (!row) throw new AdminLinkError("invalid");
    if (row.usedAt !== null) throw new AdminLinkError("used");
    if (row.expiresAt <= now) throw new AdminLinkError("expired");
  }

  /** Spends the link and makes the account admin; exactly one caller wins a given link. */
  async use(token: string, accountId: string, now = Date.now()): Promise<void> {
    if (TOKEN.test(token) && (await this.store.consume(hash(token), accountId, now))) return;
    await this.check(token, now);
    // It passed the check, so another request spent it between the two statements.
    throw new AdminLinkError("used");
  }

  purge(): Promise<number> {
    return this.store.purge();
  }
}
