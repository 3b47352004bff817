// Admin pages: relying-party registration. (Being built.)
import Router from "@koa/router";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";

export function adminRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/admin" });
  r.use(requireAdmin);
  r.get("/", async (ctx) => {
    render(ctx, d.views, "admin/clients.njk", { title: "Clients", clients: await d.container.clients.list() });
  });
  return r;
}
