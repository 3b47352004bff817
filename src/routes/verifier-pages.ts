// The verifier console's pages: /verifier lists the verifiers the signed-in account works for,
// /verifier/<slug> is one verifier's console. The server renders only the shell; the browser
// script (src/web/verifier.ts) opens the verifier's keys with the member's own holder key, works
// the queue and signs credentials. No submission, key or credential passes here in the clear.
import Router from "@koa/router";
import type Koa from "koa";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { requireConfirmedAccount } from "./middleware/session.js";

/** Pages need a signed-in account; others are sent to sign in and come back here. */
const signedIn: Koa.Middleware = async (ctx, next) => {
  if (!ctx.state.account) {
    ctx.status = 303;
    return ctx.redirect(`/signin?next=${encodeURIComponent(ctx.path)}`);
  }
  await next();
};

export function verifierPages(d: RouteDeps): Router {
  const r = new Router({ prefix: "/verifier" });
  r.use(signedIn, requireConfirmedAccount);

  r.get("/", async (ctx) => {
    const verifiers = await d.container.verifiers.membershipsOf(ctx.state.account.id);
    render(ctx, d.views, "verifier/index.njk", { title: "Verifier console", verifiers });
  });

  r.get("/:slug", async (ctx) => {
    // Not a member (or no such verifier): the service's typed error becomes a 404/403 page.
    await d.container.verifiers.asMember(ctx.params.slug!, ctx.state.account.id);
    const verifier = await d.container.verifiers.get(ctx.params.slug!);
    render(ctx, d.views, "verifier/console.njk", { title: verifier.name, script: "verifier", mainClass: "wide", verifier, passportIssuer: d.cfg.issuer });
  });

  return r;
}
