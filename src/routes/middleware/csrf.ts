// CSRF protection for our forms and JSON API (oidc-provider protects its own endpoints).
// Double-submit: a random token in a signed, httpOnly, SameSite=Lax cookie, echoed by forms in
// `_csrf` and by scripts in the `x-csrf-token` header (read from a <meta> tag).
import crypto from "node:crypto";
import type Koa from "koa";
import { AppError } from "../../errors.js";
import { CSRF_COOKIE } from "../../oidc/cookies.js";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrf(secure: boolean): Koa.Middleware {
  return async (ctx, next) => {
    let token = ctx.cookies.get(CSRF_COOKIE, { signed: true });
    if (!token) {
      token = crypto.randomBytes(24).toString("base64url");
      ctx.cookies.set(CSRF_COOKIE, token, { signed: true, httpOnly: true, sameSite: "lax", secure, overwrite: true });
    }
    ctx.state.csrfToken = token;
    // /passport/* is for relying parties' servers: bearer tokens and client authentication, no cookies.
    if (!SAFE.has(ctx.method) && !ctx.path.startsWith("/passport/")) {
      const sent = ctx.get("x-csrf-token") || (ctx.request.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent !== "string" || !safeEqual(sent, token)) {
        throw new AppError("csrf", "The form has expired or came from another site. Reload the page and try again.", 403);
      }
    }
    await next();
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
