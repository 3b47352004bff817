// Builds the HTTP application: security headers, static assets, our routes (pages, JSON API,
// interaction, admin) and, behind them, oidc-provider. Returns handles for tests and main.
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
import { ProviderHost } from "./oidc/host.js";
import { Views } from "./routes/views.js";
import { errorHandler } from "./routes/middleware/errors.js";
import { securityHeaders } from "./routes/middleware/security.js";
import { csrf } from "./routes/middleware/csrf.js";
import { loadSession } from "./routes/middleware/session.js";
import { requestLog } from "./routes/middleware/request-log.js";
import { buildRoutes } from "./routes/index.js";
import { AppError } from "./errors.js";
import { publicInstanceWarnings } from "./services/public-instance.js";

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "public");

/** Path prefixes served by our routes; everything else belongs to oidc-provider. */
const OUR_PREFIXES = ["/api/", "/interaction/", "/admin", "/developers", "/signin", "/signup", "/signout", "/recover", "/account", "/vault", "/passport/", "/connected", "/playground", "/docs", "/sdk/"];
const isOurs = (p: string) => p === "/" || OUR_PREFIXES.some((x) => p === x.replace(/\/$/, "") || p.startsWith(x.endsWith("/") ? x : `${x}/`));

export interface PassportApp {
  koa: Koa;
  host: ProviderHost;
  container: Container;
  log: Logger;
  close(): Promise<void>;
}

export async function createApp(cfg: Config, opts: { container?: Container; log?: Logger } = {}): Promise<PassportApp> {
  const container = opts.container ?? (await createContainer(cfg));
  const log = opts.log ?? createLogger(cfg.logLevel);
  const cookieKey = await container.keys.secret("cookie-key", "cookie");
  const views = new Views({ issuer: cfg.issuer, productName: "Passport" });
  const host = new ProviderHost(container, views, [cookieKey], await container.keys.secret("pairwise-salt"), log);
  await host.init();
  if (cfg.secureCookies && !cfg.trustProxy) {
    log.warn("ISSUER is https but TRUST_PROXY is off: serve Passport behind a TLS-terminating proxy and set TRUST_PROXY=true, or secure cookies cannot be set");
  }
  for (const warning of publicInstanceWarnings(cfg)) log.warn(warning);
  for (const warning of container.warnings) log.warn(warning);

  const koa = new Koa();
  koa.keys = [cookieKey];
  koa.proxy = cfg.trustProxy;
  koa.silent = true;
  koa.use(requestLog(log));
  koa.use(securityHeaders(cfg.secureCookies));
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
  // Our middleware runs only on our paths: oidc-provider parses its own bodies and has its own CSRF.
  const ours = compose([errorHandler(views, log), parse, csrf(cfg.secureCookies), loadSession(container.sessions, container.accounts), routes]);
  koa.use((ctx, next) => (isOurs(ctx.path) ? ours(ctx, next) : next()));
  koa.use(host.middleware());

  return {
    koa,
    host,
    container,
    log,
    close: () => container.close(),
  };
}
