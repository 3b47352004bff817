// Every router of ours, composed in one middleware.
import type Koa from "koa";
import compose from "koa-compose";
import type Router from "@koa/router";
import type { Config } from "../config.js";
import type { Container } from "../container.js";
import type { Logger } from "../logger.js";
import type { ProviderHost } from "../oidc/host.js";
import type { Views } from "./views.js";
import { accountApi } from "./account-api.js";
import { pages } from "./pages.js";
import { interactionRoutes } from "./interaction.js";
import { adminRoutes } from "./admin.js";
import { adminApprovalRoutes } from "./admin-approvals.js";
import { adminRegistrationTokenRoutes } from "./admin-registration-tokens.js";
import { vaultApi } from "./vault-api.js";
import { passportInteractionRoutes } from "./interaction-passport.js";
import { passportApi } from "./passport-api.js";
import { connectedAppsRoutes } from "./connected-apps.js";
import { playgroundRoutes } from "./playground.js";
import { docsRoutes } from "./docs.js";
import { vaultPages } from "./vault-pages.js";
import { adminLinkRoutes } from "./admin-link.js";
import { developerRoutes } from "./developers.js";
import { openapiRoutes } from "./openapi.js";
import { sdkRoutes } from "./sdk.js";
import { accountConsoleRoutes } from "./account-console.js";
import { vaultVerificationApi } from "./vault-verification-api.js";
import { verifierApi } from "./verifier-api.js";
import { verifierPublicRoutes } from "./verifier-public.js";
import { passportIssuerRoutes } from "./passport-issuer-public.js";
import { adminVerifierRoutes } from "./admin-verifiers.js";
import { verifierPages } from "./verifier-pages.js";

export interface RouteDeps {
  cfg: Config;
  container: Container;
  host: ProviderHost;
  views: Views;
  log: Logger;
}

/** Every router, in order; the OpenAPI test (test/docs/openapi.test.ts) walks their routes. */
export function routers(d: RouteDeps): Router[] {
  return [
    ...(d.cfg.playground ? [playgroundRoutes(d)] : []),
    docsRoutes(d), openapiRoutes(d), accountApi(d), accountConsoleRoutes(d), vaultApi(d), pages(d), vaultPages(d), interactionRoutes(d), passportInteractionRoutes(d), passportApi(d), connectedAppsRoutes(d), adminRoutes(d), adminApprovalRoutes(d), adminRegistrationTokenRoutes(d), developerRoutes(d), adminLinkRoutes(d), sdkRoutes(d), vaultVerificationApi(d), verifierApi(d), verifierPublicRoutes(d), passportIssuerRoutes(d), adminVerifierRoutes(d), verifierPages(d)];
}

export function buildRoutes(d: RouteDeps): Koa.Middleware {
  return compose(routers(d).flatMap((r) => [r.routes(), r.allowedMethods()]) as Koa.Middleware[]);
}
