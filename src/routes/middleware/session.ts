// Loads the holder's Passport session (if any) into ctx.state for every route of ours.
import type Koa from "koa";
import { RecoveryKeyUnconfirmedError, type AccountService } from "../../services/accounts.js";
import type { AppSessionService } from "../../services/app-sessions.js";
import { ForbiddenError, UnauthorizedError } from "../../errors.js";
import { SESSION_COOKIE } from "../../oidc/cookies.js";
import { wantsJson } from "./errors.js";
import { PROVIDER_SESSION_COOKIE } from "../provider-session.js";

export function loadSession(sessions: AppSessionService, accounts: AccountService): Koa.Middleware {
  return async (ctx, next) => {
    const session = await sessions.resolve(ctx.cookies.get(SESSION_COOKIE, { signed: true }));
    const account = session ? await accounts.get(session.accountId) : null;
    ctx.state.session = account ? session : null;
    ctx.state.account = account;
    // For the sessions list (address, last seen) and to end this browser's provider session with it.
    if (account && session) await sessions.seen(session, clientInfo(ctx), ctx.cookies.get(PROVIDER_SESSION_COOKIE, { signed: true }));
    await next();
  };
}

/** The request's address and browser, for the sessions list and the sign-in history. */
export function clientInfo(ctx: Koa.Context): { ip: string; userAgent?: string } {
  return { ip: ctx.ip, userAgent: ctx.get("user-agent") || undefined };
}

export const requireAccount: Koa.Middleware = async (ctx, next) => {
  if (!ctx.state.account) throw new UnauthorizedError();
  await next();
};

/**
 * A signed-in holder whose recovery key is confirmed: the vault and sharing need it. A page sends
 * the holder to finish the set-up and come back; an API call gets 403 recovery_key_unconfirmed.
 */
export const requireConfirmedAccount: Koa.Middleware = async (ctx, next) => {
  if (!ctx.state.account) throw new UnauthorizedError();
  if (!ctx.state.account.recoveryKeyConfirmed) {
    if (wantsJson(ctx) || ctx.method !== "GET") throw new RecoveryKeyUnconfirmedError();
    return ctx.redirect(recoveryKeyPage(ctx.originalUrl));
  }
  await next();
};

/** The page that shows a new recovery key and asks the holder to confirm it, then goes on to `next`. */
export const recoveryKeyPage = (next: string) => `/recovery-key?next=${encodeURIComponent(next)}`;

/** Admins only. A browser that is not signed in is sent to sign in first; API calls get 401/403. */
export const requireAdmin: Koa.Middleware = async (ctx, next) => {
  if (!ctx.state.account) {
    if (wantsJson(ctx)) throw new UnauthorizedError();
    // After a POST the form is gone; come back to the page the form was on (GETs) or the list.
    const back = ctx.method === "GET" || ctx.method === "HEAD" ? ctx.originalUrl : "/admin";
    ctx.status = 303;
    return ctx.redirect(`/signin?next=${encodeURIComponent(back)}`);
  }
  if (!ctx.state.account.isAdmin) {
    throw new ForbiddenError(`Only administrators may open the admin pages, and ${ctx.state.account.email} is not one. An administrator can make it one (passport users promote ${ctx.state.account.email}).`);
  }
  await next();
};

export function setSessionCookie(ctx: Koa.Context, token: string, secure: boolean, maxAgeSeconds: number): void {
  ctx.cookies.set(SESSION_COOKIE, token, { signed: true, httpOnly: true, sameSite: "lax", secure, maxAge: maxAgeSeconds * 1000, overwrite: true });
}

export function clearSessionCookie(ctx: Koa.Context): void {
  ctx.cookies.set(SESSION_COOKIE, null, { signed: true });
}
