// Admin pages: registering and managing every relying party, with their owners (developer
// console) shown. Plain server-rendered forms (no script); every POST carries the CSRF token. The
// client pages themselves are shared with the developer console (admin-client-pages.ts).
import Router from "@koa/router";
import type Koa from "koa";
import type { ClientActor } from "../services/client-activity.js";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";
import { mountClientPages, noticeOf, searchQuery } from "./admin-client-pages.js";
import { activityDetails } from "./admin-approvals.js";
import { searchClients } from "../services/client-search.js";

export function adminRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/admin" });
  const { clients, developers } = d.container;
  const discoveryUrl = `${d.cfg.issuer}/.well-known/openid-configuration`;

  const actor = (ctx: Koa.Context): ClientActor => ({ accountId: ctx.state.account?.id, via: "admin" });

  r.use(requireAdmin);

  r.get("/", async (ctx) => {
    const owners = Object.fromEntries(await developers.ownerEmailsByClient());
    const all = await clients.list();
    const q = searchQuery(ctx.query.q);
    const pendingCount = all.filter((c) => c.approval === "pending").length;
    render(ctx, d.views, "admin/clients.njk", { title: "Clients", mainClass: "wide", script: "console", base: "/admin", admin: true, clients: searchClients(all, q, owners), total: all.length, q, owners, pendingCount, notice: noticeOf(ctx), discoveryUrl });
  });

  mountClientPages(r, d, {
    base: "/admin",
    find: (_ctx, id) => clients.get(id),
    create: (ctx, input) => clients.create(input, { actor: actor(ctx) }),
    actor,
    // activityDetails (admin-approvals.ts): the last 14 days of activity and the change log, with emails.
    details: async (_ctx, client) => ({ owners: await developers.ownersOf(client.clientId), approvalActions: true, ...(await activityDetails(d, client)) }),
  });

  return r;
}
