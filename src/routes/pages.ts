// The holder's pages: home (the landing page, or the vault when signed in), account, sign-up,
// sign-in, recovery. The forms are driven by browser scripts (src/web) that derive keys before
// anything is sent.
import Router from "@koa/router";
import { z } from "zod";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { clearSessionCookie } from "./middleware/session.js";
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
    render(ctx, d.views, "signup.njk", { title: "Create your Passport", script: "signup", next, kdfIterations: d.cfg.kdfIterations });
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
