// The one-time admin link (`passport admin-link`): a page that asks the signed-in holder to
// confirm, a POST that spends the link, and a redirect to a confirmation page (POST → redirect →
// GET). A visitor who is not signed in is sent to sign in (or sign up) and comes back here.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { ADMIN_LINK_PATH, AdminLinkError } from "../services/admin-links.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";

const tokenOf = (input: unknown) => z.string().max(100).catch("").parse(input);

export function adminLinkRoutes(d: RouteDeps): Router {
  const r = new Router();
  const { adminLinks } = d.container;

  const page = (ctx: Koa.Context, data: Record<string, unknown>, status = 200) =>
    render(ctx, d.views, "admin-link.njk", { title: "Administrator link", ...data }, status);

  /** A refused link is a page with its reason and its 4xx status, never a 500. */
  const orProblem = async (ctx: Koa.Context, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof AdminLinkError)) throw err;
      page(ctx, { problem: err.message }, err.status);
    }
  };

  r.get(ADMIN_LINK_PATH, async (ctx) => {
    if (!ctx.state.account) {
      ctx.status = 303;
      return ctx.redirect(`/signin?next=${encodeURIComponent(ctx.originalUrl)}`);
    }
    if (ctx.query.done === "1" && ctx.state.account.isAdmin) return page(ctx, { done: true });
    const token = tokenOf(ctx.query.token);
    await orProblem(ctx, async () => {
      await adminLinks.check(token);
      page(ctx, { token });
    });
  });

  r.post(ADMIN_LINK_PATH, async (ctx) => {
    if (!ctx.state.account) {
      ctx.status = 303;
      return ctx.redirect(`/signin?next=${encodeURIComponent(ADMIN_LINK_PATH)}`);
    }
    const account = ctx.state.account;
    await orProblem(ctx, async () => {
      await adminLinks.use(tokenOf((ctx.request.body as Record<string, unknown> | undefined)?.token), account.id);
      ctx.status = 303;
      ctx.redirect(`${ADMIN_LINK_PATH}?done=1`);
    });
  });

  return r;
}
