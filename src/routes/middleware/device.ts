// The device cookie (see src/services/brute-force.ts): signed with the app's cookie keys, so a
// value the server did not issue is ignored; HttpOnly, so page scripts never see it. It outlives
// sessions on purpose: it remembers that this browser once signed in to the account.
import type Koa from "koa";
import { deviceCookieValue } from "../../services/brute-force.js";

export const DEVICE_COOKIE = "passport.device";
const MAX_AGE_MS = 365 * 86_400_000;

/** The verified cookie value, or undefined when absent or not signed by us. */
export function deviceCookie(ctx: Koa.Context): string | undefined {
  return ctx.cookies.get(DEVICE_COOKIE, { signed: true }) || undefined;
}

/** After a proven password or recovery key: keep (or start) this browser's device cookie for the account. */
export function rememberDevice(ctx: Koa.Context, accountId: string, secure: boolean): void {
  const value = deviceCookieValue(accountId, deviceCookie(ctx));
  ctx.cookies.set(DEVICE_COOKIE, value, { signed: true, httpOnly: true, sameSite: "lax", secure, maxAge: MAX_AGE_MS, overwrite: true });
}
