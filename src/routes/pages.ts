// The holder's pages: home (the landing page, or the vault when signed in), account, sign-up,
// sign-in, recovery. The forms are driven by browser scripts (src/web) that derive keys before
// anything is sent.
import Router from "@koa/router";
import { z } from "zod";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { clearSessionCookie, recoveryKeyPage } from "./middleware/session.js";
import { endProviderSession } from "./provider-session.js";

/** Where to go after signing in: only local paths, so the page cannot be used as an open redirect. */
const nextPath = z
  .string()
  .regex(/^\/(?!\/)[\w\-./?=&%]*$/)
  .max(500)
  .catch("/");

export function pages(d: RouteDeps): Router {
  const r = new Router();
  const { sessions } = d.container;

  // A signed-in holder's home is the vault; the account settings have their own page.
  r.get("/", (ctx) => {
    if (ctx.state.account) return ctx.redirect("/vault");
    render(ctx, d.views, "home.njk", { title: "Passport" });
  });

  // The account page is the account console's (account-console.ts).

  r.get("/signin", (ctx) => {
    const next = nextPath.parse(ctx.query.next ?? "/");
    if (ctx.state.account) return ctx.redirect(next);
    render(ctx, d.views, "signin.njk", { title: "Sign in", script: "signin", next });
  });

  r.get("/signup", (ctx) => {
    const next = nextPath.parse(ctx.query.next ?? "/");
    // Signed up already, but the tab closed before the recovery key was confirmed: finish that.
    if (ctx.state.account && !ctx.state.account.recoveryKeyConfirmed) return ctx.redirect(recoveryKeyPage(next));
    render(ctx, d.views, "signup.njk", { title: "Create your Passport", script: "signup", next, kdfIterations: d.cfg.kdfIterations });
  });

  // Makes a new recovery key (the browser re-wraps the vault key) and asks the holder to confirm
  // it: from the account page, or to finish a sign-up whose key was never confirmed.
  r.get("/recovery-key", (ctx) => {
    const next = nextPath.parse(ctx.query.next ?? (ctx.state.account?.recoveryKeyConfirmed ? "/account" : "/"));
    if (!ctx.state.account) {
      ctx.status = 303;
      return ctx.redirect(`/signin?next=${encodeURIComponent(recoveryKeyPage(next))}`);
    }
    ctx.set("cache-control", "no-store");
    render(ctx, d.views, "recovery-key.njk", { title: "Your recovery key", script: "recovery-key", next, setup: !ctx.state.account.recoveryKeyConfirmed });
  });

  r.get("/recover", (ctx) => {
    render(ctx, d.views, "recover.njk", { title: "Reset your password", script: "recover", kdfIterations: d.cfg.kdfIterations });
  });

  r.post("/signout", async (ctx) => {
    if (ctx.state.session) await sessions.destroy(ctx.state.session);
    clearSessionCookie(ctx);
    await endProviderSession(ctx, d.host.current);
    ctx.redirect("/");
  });

  return r;
}
