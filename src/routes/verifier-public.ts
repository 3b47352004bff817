// What relying parties fetch about a verifier, without signing in: SD-JWT VC issuer metadata at
// /.well-known/jwt-vc-issuer/verifiers/<slug> (the issuer's path after the well-known segment, as
// SD-JWT VC says) and its Token Status Lists at /verifiers/<slug>/status/<id>.
import Router from "@koa/router";
import type { RouteDeps } from "./index.js";
import { sendStatusList } from "./status-list-response.js";

export function verifierPublicRoutes(d: RouteDeps): Router {
  const { verifiers } = d.container;
  const r = new Router();

  r.get("/.well-known/jwt-vc-issuer/verifiers/:slug", async (ctx) => {
    const meta = await verifiers.issuerMetadata(String(ctx.params.slug));
    ctx.set("access-control-allow-origin", "*");
    if ("redirect" in meta) {
      // The verifier publishes its keys itself: we point there and vouch for nothing (docs/verifiers.md).
      ctx.set("cache-control", "public, max-age=300");
      ctx.status = 302;
      return ctx.redirect(meta.redirect);
    }
    // Keys change only at set-up (no rotation yet); a relying party may keep them a while.
    ctx.set("cache-control", "public, max-age=300");
    ctx.body = meta;
  });

  r.get("/verifiers/:slug/status/:listId", async (ctx) => {
    const list = await verifiers.statusList(String(ctx.params.slug), String(ctx.params.listId));
    sendStatusList(ctx, list);
  });

  return r;
}
