// Connected apps: the holder sees each client they shared with, what and when (the share log,
// never content), and disconnects one: tokens, the stored payload and file access end at once.
import Router from "@koa/router";
import { z } from "zod";
import { parseInput } from "../errors.js";
import { DOCUMENT_LABELS, type DocumentType } from "../documents/types.js";
import type { RouteDeps } from "./index.js";
import { requireAccount } from "./middleware/session.js";
import { render } from "./render.js";
import { SCOPE_DESCRIPTIONS } from "../oidc/claims.js";

export const clientIdParam = z.string().min(1).max(255);
const label = (t: string) => DOCUMENT_LABELS[t as DocumentType] ?? t;
/** A scope in words ("Read your passport"), as the consent page put it. */
const scopeWords = (s: string) => SCOPE_DESCRIPTIONS[s] ?? s;

export function connectedAppsRoutes(d: RouteDeps): Router {
  const r = new Router();
  const { sharing } = d.container;

  r.get("/connected", async (ctx, next) => {
    // A page: a holder who is not signed in is sent to sign in and comes back here.
    if (ctx.state.account) return next();
    ctx.status = 303;
    ctx.redirect("/signin?next=%2Fconnected");
  }, async (ctx) => {
    const apps = await sharing.connectedApps(ctx.state.account.id);
    const history = await sharing.history(ctx.state.account.id);
    render(ctx, d.views, "connected.njk", {
      title: "Connected apps",
      mainClass: "wide",
      apps: apps.map((a) => ({ ...a, scopes: a.scopes.map(scopeWords), log: a.log.map((l) => ({ at: l.at, types: l.types.map(label) })) })),
      history: history.map((h) => ({ ...h, types: h.types.map(label) })),
      revoked: ctx.query.revoked === "1",
    });
  });

  r.get("/api/connected", requireAccount, async (ctx) => {
    ctx.body = { apps: await sharing.connectedApps(ctx.state.account.id), history: await sharing.history(ctx.state.account.id) };
  });

  r.post("/connected/:clientId/revoke", requireAccount, async (ctx) => {
    await sharing.revoke(ctx.state.account.id, parseInput(clientIdParam, ctx.params.clientId, "client"));
    ctx.status = 303;
    ctx.redirect("/connected?revoked=1");
  });

  r.post("/api/connected/:clientId/revoke", requireAccount, async (ctx) => {
    const grants = await sharing.revoke(ctx.state.account.id, parseInput(clientIdParam, ctx.params.clientId, "client"));
    ctx.body = { revokedGrants: grants };
  });

  return r;
}
