// Every router of ours, composed in one middleware.
import type Koa from "koa";
import compose from "koa-compose";
import type { Config } from "../config.js";
import type { Container } from "../container.js";
import type { Logger } from "../logger.js";
import type { ProviderHost } from "../oidc/host.js";
import type { Views } from "./views.js";
import { accountApi } from "./account-api.js";
import { pages } from "./pages.js";
import { interactionRoutes } from "./interaction.js";
import { adminRoutes } from "./admin.js";
import { vaultApi } from "./vault-api.js";
import { passportInteractionRoutes } from "./interaction-passport.js";
import { passportApi } from "./passport-api.js";
import { connectedAppsRoutes } from "./connected-apps.js";
import { playgroundRoutes } from "./playground.js";
import { docsRoutes } from "./docs.js";
import { vaultPages } from "./vault-pages.js";
import { adminLinkRoutes } from "./admin-link.js";

export interface RouteDeps {
  cfg: Config;
  container: Container;
  host: ProviderHost;
  views: Views;
  log: Logger;
}

export function buildRoutes(d: RouteDeps): Koa.Middleware {
  const routers = [
    ...(d.cfg.playground ? [playgroundRoutes(d)] : []),
    docsRoutes(d),accountApi(d), vaultApi(d), pages(d), vaultPages(d), interactionRoutes(d), passportInteractionRoutes(d), passportApi(d), connectedAppsRoutes(d), adminRoutes(d), adminLinkRoutes(d)];
  return compose(routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as Koa.Middleware[]);
}
