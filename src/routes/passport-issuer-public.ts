// Passport as an SD-JWT VC issuer in its own name (the email attestation): its issuer metadata at
// /.well-known/jwt-vc-issuer followed by the issuer's path (bare when ISSUER has none, as SD-JWT VC
// says), and its Token Status Lists at /status/<id>. Public: relying parties fetch them.
import Router from "@koa/router";
import { issuerMetadataUrl } from "../credentials/metadata.js";
import type { RouteDeps } from "./index.js";
import { sendStatusList } from "./status-list-response.js";

/** Where Passport's own issuer metadata is, for an issuer URL (no trailing slash, path kept). */
export function ownMetadataPath(issuer: string): string {
  return new URL(issuerMetadataUrl(issuer)).pathname;
}

export function passportIssuerRoutes(d: RouteDeps): Router {
  const { passportIssuer } = d.container;
  const r = new Router();

  r.get(ownMetadataPath(d.cfg.issuer), async (ctx) => {
    ctx.set("access-control-allow-origin", "*");
    // Keys rotate with the provider's, published before they sign: a short cache is enough.
    ctx.set("cache-control", "public, max-age=300");
    ctx.body = await passportIssuer.metadata();
  });

  r.get("/status/:listId", async (ctx) => {
    const list = await passportIssuer.statusList(String(ctx.params.listId));
    sendStatusList(ctx, list);
  });

  return r;
}
