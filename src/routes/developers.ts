// The developer console (/developers): any signed-in account the operator's policy allows lists
// the clients it owns and registers, edits, rotates, disables and deletes them, with the same form
// and pages as the admin page (admin-client-pages.ts). A client the account does not own is a 404
// on every route. DeveloperService decides; this file parses and answers.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import type { Account } from "../services/accounts.js";
import type { ClientView } from "../services/clients.js";
import { AppError } from "../errors.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { clientPageData, mountClientPages, noticeOf, searchQuery } from "./admin-client-pages.js";
import { changeLog } from "./admin-approvals.js";
import { searchClients } from "../services/client-search.js";

const BASE = "/developers";
const emailOf = (body: unknown) => z.string().max(320).catch("").parse((body as Record<string, unknown> | undefined)?.email);

export function developerRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: BASE });
  const { developers } = d.container;
  const { clientActivity } = d.container;
  const me = (ctx: Koa.Context) => ctx.state.account as Account;

  // Signed out: sign in first and come back. Not allowed by policy: a page that says why.
  r.use(async (ctx, next) => {
    if (!ctx.state.account) {
      const back = ctx.method === "GET" || ctx.method === "HEAD" ? ctx.originalUrl : BASE;
      ctx.status = 303;
      return ctx.redirect(`/signin?next=${encodeURIComponent(back)}`);
    }
    const refusal = developers.refusal(ctx.state.account);
    if (refusal) return render(ctx, d.views, "developers/refused.njk", { title: "Developer console", refusal }, 403);
    await next();
  });

  r.get("/", async (ctx) => {
    const all = await developers.list(me(ctx));
    const q = searchQuery(ctx.query.q);
    render(ctx, d.views, "developers/index.njk", { title: "Developer console", mainClass: "wide", script: "console", base: BASE, clients: searchClients(all, q), total: all.length, q, max: developers.policy.maxClients, notice: noticeOf(ctx) });
  });

  const details = async (_ctx: Koa.Context, client: ClientView, extra: Record<string, unknown> = {}) => {
    return {
      owners: await developers.ownersOf(client.clientId),
      manageOwners: true,
      activity: await clientActivity.activity(client.clientId),
      recent: await clientActivity.recent(client.clientId),
      changes: await changeLog(d, client.clientId),
      ...extra,
    };
  };

  mountClientPages(r, d, {
    base: BASE,
    find: (ctx, id) => developers.get(me(ctx), id),
    create: (ctx, input, body) => developers.create(me(ctx), input, z.string().max(2000).catch("").parse(body.purpose)),
    actor: (ctx) => ({ accountId: me(ctx).id, via: "console" }),
    requireApproval: developers.policy.passportScopes === "approval",
    details,
    formExtras: () => ({
      askPurpose: true,
      purposeHint: developers.policy.passportScopes === "approval" ? "an administrator reads it before these scopes work" : "shown to people on the consent page",
    }),
  });

  r.post("/clients/:id/owners", async (ctx) => {
    const client = await developers.get(me(ctx), ctx.params.id!);
    const email = emailOf(ctx.request.body);
    try {
      await developers.addOwner(me(ctx), client.clientId, email);
      ctx.status = 303;
      return ctx.redirect(`${BASE}/clients/${encodeURIComponent(client.clientId)}?done=owner-added`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const page = await details(ctx, client, { emailError: err.fields.email ?? err.message, ownerEmail: email });
      render(ctx, d.views, "admin/client.njk", { ...clientPageData(d, client), base: BASE, ...page }, 400);
    }
  });

  r.post("/clients/:id/owners/:owner/remove", async (ctx) => {
    const client = await developers.get(me(ctx), ctx.params.id!);
    try {
      await developers.removeOwner(me(ctx), client.clientId, ctx.params.owner!);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const page = await details(ctx, client, { ownerError: err.fields.owner ?? err.message });
      return render(ctx, d.views, "admin/client.njk", { ...clientPageData(d, client), base: BASE, ...page }, 400);
    }
    ctx.status = 303;
    // Removing oneself ends one's access: back to the list.
    ctx.redirect(ctx.params.owner === me(ctx).id ? `${BASE}?done=owner-removed` : `${BASE}/clients/${encodeURIComponent(client.clientId)}?done=owner-removed`);
  });

  return r;
}
