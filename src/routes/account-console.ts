// The account console (like Keycloak's): the account page with its sessions, sign-in history and
// passkeys, the forms that end sessions and rename or remove passkeys (POST, then a redirect back
// to the page), and the JSON calls behind the email change and passkey registration, which need
// the browser (a password-derived key; a WebAuthn ceremony).
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { parseInput } from "../errors.js";
import type { RouteDeps } from "./index.js";
import { changeEmailBody, emailCodeBody, passkeyName, passkeyRegisterBody } from "./schemas.js";
import { clearSessionCookie, requireAccount } from "./middleware/session.js";
import { deviceCookie } from "./middleware/device.js";
import { endProviderSession } from "./provider-session.js";
import { render } from "./render.js";

const handleParam = z.string().regex(/^[\w-]{22}$/, "not a session");
export const passkeyIdParam = z.string().uuid("not a passkey");

/** Notices the page shows after a redirect (?done=...). */
const NOTICES: Record<string, string> = {
  "session-ended": "That session was signed out.",
  "others-ended": "Every other session was signed out.",
  "passkey-added": "The passkey was added: signing in now asks for it after your password.",
  "passkey-renamed": "The passkey was renamed.",
  "passkey-removed": "The passkey was removed.",
};

/** A page: a holder who is not signed in is sent to sign in and comes back. */
const signedInPage: Koa.Middleware = async (ctx, next) => {
  if (ctx.state.account) return next();
  ctx.status = 303;
  ctx.redirect("/signin?next=%2Faccount");
};

export function accountConsoleRoutes(d: RouteDeps): Router {
  const r = new Router();
  const { sessions, history, passkeys, emailChange } = d.container;

  const page = async (ctx: Koa.Context, extra: Record<string, unknown> = {}, status = 200) => {
    const id = ctx.state.account.id as string;
    render(
      ctx,
      d.views,
      "account.njk",
      {
        title: "Your account",
        script: "account",
        mainClass: "wide",
        sessions: await sessions.list(id, ctx.state.session),
        history: await history.list(id),
        passkeys: await passkeys.list(id),
        notice: NOTICES[String(ctx.query.done ?? "")] ?? "",
        historyDays: d.cfg.accountConsole.historyDays,
        ...extra,
      },
      status,
    );
  };
  const back = (ctx: Koa.Context, done: string, anchor: string) => {
    ctx.status = 303;
    ctx.redirect(`/account?done=${done}#${anchor}`);
  };

  r.get("/account", signedInPage, (ctx) => page(ctx));

  r.post("/account/sessions/end-others", signedInPage, async (ctx) => {
    await sessions.endOthers(ctx.state.session);
    back(ctx, "others-ended", "sessions");
  });

  r.post("/account/sessions/:id/end", signedInPage, async (ctx) => {
    const handle = parseInput(handleParam, ctx.params.id, "session");
    if (!(await sessions.endOne(ctx.state.account.id, handle, ctx.state.session))) return back(ctx, "session-ended", "sessions");
    // This browser's own session: it is signed out like with "Sign out".
    clearSessionCookie(ctx);
    await endProviderSession(ctx, d.host.current);
    ctx.status = 303;
    ctx.redirect("/");
  });

  r.post("/account/passkeys/:id/rename", signedInPage, async (ctx) => {
    const id = parseInput(passkeyIdParam, ctx.params.id, "passkey");
    const name = passkeyName.safeParse((ctx.request.body as { name?: unknown } | undefined)?.name);
    if (!name.success) {
      return page(ctx, { passkeyError: { id, message: name.error.issues[0]?.message ?? "not a valid name" } }, 400);
    }
    await passkeys.rename(ctx.state.account.id, id, name.data);
    back(ctx, "passkey-renamed", "passkeys");
  });

  r.post("/account/passkeys/:id/delete", signedInPage, async (ctx) => {
    await passkeys.remove(ctx.state.account.id, parseInput(passkeyIdParam, ctx.params.id, "passkey"));
    back(ctx, "passkey-removed", "passkeys");
  });

  r.post("/api/account/email/code", requireAccount, async (ctx) => {
    const { email } = parseInput(emailCodeBody, ctx.request.body, "email change");
    await emailChange.sendCode(ctx.state.account.id, email, ctx.ip);
    ctx.status = 204;
  });

  r.post("/api/account/email", requireAccount, async (ctx) => {
    const body = parseInput(changeEmailBody, ctx.request.body, "email change");
    const { notified } = await emailChange.change(ctx.state.account.id, body.email, body.code, body.currentAuthKey, ctx.ip, deviceCookie(ctx));
    ctx.body = { email: body.email, notified };
  });

  r.post("/api/account/passkeys/options", requireAccount, async (ctx) => {
    ctx.body = await passkeys.registrationOptions(ctx.state.account);
  });

  r.post("/api/account/passkeys", requireAccount, async (ctx) => {
    const body = parseInput(passkeyRegisterBody, ctx.request.body, "passkey");
    ctx.status = 201;
    ctx.body = { passkey: await passkeys.register(ctx.state.account.id, body.name, body.response as never) };
  });

  return r;
}

