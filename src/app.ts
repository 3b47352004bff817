// Builds the HTTP application: security headers, static assets, our routes (pages, JSON API,
// interaction, admin) and, beside them, oidc-provider; `handler` sends each request to the one
// that answers it (src/routes/dispatch.ts). Returns handles for tests and main.
import type { RequestListener } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Koa from "koa";
import serve from "koa-static";
import mount from "koa-mount";
import { bodyParser } from "@koa/bodyparser";
import compose from "koa-compose";
import type { Config } from "./config.js";
import { type Container, createContainer } from "./container.js";
import { createLogger, type Logger } from "./logger.js";
import { loadProviderSecrets, ProviderHost } from "./oidc/host.js";
import { providerRequest } from "./oidc/request-artifacts.js";
import { Views } from "./routes/views.js";
import { errorHandler, notFoundPage } from "./routes/middleware/errors.js";
import { securityHeaders } from "./routes/middleware/security.js";
import { csrf } from "./routes/middleware/csrf.js";
import { loadSession } from "./routes/middleware/session.js";
import { requestLog } from "./routes/middleware/request-log.js";
import { measureRequests } from "./routes/middleware/metrics.js";
import { operationsEndpoints } from "./routes/operations.js";
import { Metrics } from "./metrics.js";
import { buildRoutes } from "./routes/index.js";
import { dispatch } from "./routes/dispatch.js";
import { AppError } from "./errors.js";
import { publicInstanceWarnings } from "./services/public-instance.js";

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "public");

export interface PassportApp {
  /** The HTTP server's request listener: our application or oidc-provider, by path. */
  handler: RequestListener;
  /** Our own application (pages, JSON API, interactions, static files); oidc-provider is `host.current`. */
  koa: Koa;
  host: ProviderHost;
  container: Container;
  log: Logger;
  close(): Promise<void>;
}

export async function createApp(cfg: Config, opts: { container?: Container; log?: Logger } = {}): Promise<PassportApp> {
  const container = opts.container ?? (await createContainer(cfg));
  container.serveRequests(providerRequest);
  const log = opts.log ?? createLogger(cfg.logLevel);
  const views = new Views({ issuer: cfg.issuer, productName: "Passport" });
  // /metrics exists only with METRICS_TOKEN; off, nothing is measured and the hot path pays nothing.
  const metrics = cfg.metricsToken ? new Metrics() : null;
  const providerMiddleware = metrics ? [measureRequests(metrics, "oidc")] : [];
  const secrets = await loadProviderSecrets(container.keys);
  const host = new ProviderHost(container, views, secrets, log, providerMiddleware);
  await host.init();
  if (cfg.secureCookies && !cfg.trustProxy) {
    log.warn("ISSUER is https but TRUST_PROXY is off: serve Passport behind a TLS-terminating proxy and set TRUST_PROXY=true, or secure cookies cannot be set");
  }
  for (const warning of publicInstanceWarnings(cfg)) log.warn(warning);
  for (const warning of container.warnings) log.warn(warning);

  const koa = new Koa();
  koa.keys = secrets.cookieKeys;
  koa.proxy = cfg.trustProxy;
  // X-Forwarded-For is "client, proxy1, proxy2": only the entries our own proxies appended are
  // true; anything left of them the client may have written to dodge the address-based limits.
  koa.maxIpsCount = cfg.trustProxyHops;
  koa.silent = true;
  // Probes and scrapes first: no session, not counted themselves. Security headers and the
  // request log are written by the dispatcher, for oidc-provider's paths too.
  koa.use(operationsEndpoints({ health: container.health, metrics, metricsToken: cfg.metricsToken, log }));
  if (metrics) koa.use(measureRequests(metrics, "passport"));
  koa.use(notFoundPage(views));
  koa.use(mount("/static", serve(PUBLIC, { maxAge: 3600_000, gzip: false })));

  const parse = bodyParser({
    enableTypes: ["json", "form"],
    jsonLimit: cfg.bodyLimit,
    formLimit: cfg.bodyLimit,
    onError: (err) => {
      throw new AppError("invalid_request", `the request body could not be read: ${(err as Error).message}`, (err as { status?: number }).status ?? 400);
    },
  });
  const routes = buildRoutes({ cfg, container, host, views, log });
  // oidc-provider parses its own bodies and has its own CSRF: none of this runs on its paths.
  koa.use(compose([errorHandler(views, log), parse, csrf(cfg.secureCookies), loadSession(container.sessions, container.accounts), routes]));
  const handler = dispatch({
    ours: koa.callback(),
    provider: () => host.handler,
    staticAnswer: (p) => host.staticAnswer(p),
    observeStatic: metrics ? (route, seconds) => metrics.observe({ route, handler: "oidc", method: "GET", status: 200 }, seconds) : undefined,
    headers: securityHeaders(cfg.secureCookies),
    log: requestLog(log),
  });

  return {
    handler,
    koa,
    host,
    container,
    log,
    close: () => container.close(),
  };
}
