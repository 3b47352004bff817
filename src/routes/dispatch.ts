// The HTTP server's request handler: sends each request straight to the one application that
// answers it. oidc-provider is a Koa application of its own; its paths (token, userinfo,
// introspection, discovery, JWKS, authorization, …) go to its request handler, ours (pages, the
// JSON API, interactions, static files) to our Koa application. Before, every request entered our
// application first and reached the provider through our middleware chain; a token request paid
// for a context and a chain it never used (see docs/decisions.md, Performance).
//
// What both need is done here, once: the security headers and the request log.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

/**
 * First path segments that belong to us; everything else is oidc-provider's. "/api" covers
 * "/api" and "/api/…", and so on for each. Kept in step with the routers in src/routes.
 */
const OUR_SEGMENTS = new Set(["api", "interaction", "admin", "developers", "signin", "signup", "signout", "recover", "account", "vault", "passport", "connected", "playground", "docs", "static"]);

/** The path of a request target, without the query string ("/token?x" → "/token"). */
export function pathOf(url: string | undefined): string {
  if (!url) return "/";
  // Absolute-form targets ("GET http://host/path") are rare; let URL take them apart.
  if (url[0] !== "/") return URL.parse(url)?.pathname ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** Is this path answered by our application (rather than by oidc-provider)? */
export function isOurs(path: string): boolean {
  if (path === "/") return true;
  const end = path.indexOf("/", 1);
  return OUR_SEGMENTS.has(end < 0 ? path.slice(1) : path.slice(1, end));
}

export interface DispatchTargets {
  ours: RequestListener;
  /** Asked per request: the provider is rebuilt when the signing keys change (src/oidc/host.ts). */
  provider: () => RequestListener;
  /** Sets the security headers on a response. */
  headers: (res: ServerResponse) => void;
  /** Starts the request's log line, or null when requests are not logged. */
  log: ((req: IncomingMessage, res: ServerResponse, path: string) => void) | null;
}

export function dispatch(t: DispatchTargets): RequestListener {
  return (req, res) => {
    const path = pathOf(req.url);
    t.headers(res);
    t.log?.(req, res, path);
    return isOurs(path) ? t.ours(req, res) : t.provider()(req, res);
  };
}
