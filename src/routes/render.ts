// Renders a page with what every template needs (signed-in account, CSRF token).
import type Koa from "koa";
import type { Views, ViewData } from "./views.js";

export function render(ctx: Koa.Context, views: Views, template: string, data: ViewData = {}, status = 200): void {
  ctx.status = status;
  ctx.type = "html";
  ctx.set("cache-control", "no-store");
  ctx.body = views.render(template, { account: ctx.state.account, csrfToken: ctx.state.csrfToken, ...data });
}
