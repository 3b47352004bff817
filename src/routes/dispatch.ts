// The HTTP server's request handler: sends each request straight to the one application that
// answers it. oidc-provider is a Koa application of its own; its paths (token, userinfo,
// introspection, discovery, JWKS, authorization, …) go to its request handler, ours (pages, the
// JSON API, interactions, static files) to our Koa application. Before, every request entered our
// application first and reached the provider through our middleware chain; a token request paid
// for a context and a chain it never used (see docs/decisions.md, Performance).
//
// What both need is done here, once: the security headers and the request log.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { SecurityHeaders } from "./middleware/security.js";
import { replay, type StaticAnswer } from "../oidc/static-answers.js";

/**
 * First path segments of oidc-provider's endpoints (its default routes: /auth, /token,
 * /token/introspection, /token/revocation, /me, /jwks, /reg, /request, /session/end, /device,
 * /backchannel and /.well-known/openid-configuration). Everything else is ours, so a new page or
 * API of ours needs no entry here, and an unknown address gets our 404 page.
 */
const PROVIDER_SEGMENTS = new Set(["auth", "token", "me", "jwks", "reg", "request", "session", "device", "backchannel", ".well-known"]);

/**
 * First path segments of oidc-provider's endpoints that programs call and no browser renders
 * (token, introspection and revocation, userinfo, JWKS, discovery, registration, PAR): they get
 * the API set of security headers. The authorization and logout pages get the page set.
 */
const API_SEGMENTS = new Set(["token", "me", "jwks", ".well-known", "reg", "request"]);

/**
 * Well-known documents that are ours, not the provider's: SD-JWT VC issuer metadata, Passport's own
 * at the bare path (src/routes/passport-issuer-public.ts) and verifiers' below it
 * (src/routes/verifier-public.ts). Everything else under /.well-known stays the provider's.
 */
const OUR_WELL_KNOWN = "/.well-known/jwt-vc-issuer";

/** Operators' endpoints (src/routes/operations.ts), asked every few seconds. */
const UNLOGGED = new Set(["/healthz", "/metrics"]);

/** The first segment of a path ("/token/introspection" → "token", "/" → ""). */
function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return end < 0 ? path.slice(1) : path.slice(1, end);
}

/** The path of a request target, without the query string ("/token?x" → "/token"). */
export function pathOf(url: string | undefined): string {
  if (!url) return "/";
  // Absolute-form targets ("GET http://host/path") are rare; let URL take them apart.
  if (url[0] !== "/") return URL.parse(url)?.pathname ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

export interface DispatchTargets {
  ours: RequestListener;
  /** Asked per request: the provider is rebuilt when the signing keys change (src/oidc/host.ts). */
  provider: () => RequestListener;
  /** The provider's prerendered answer to a GET of this path (discovery, JWKS), if it has one. */
  staticAnswer?: (path: string) => StaticAnswer | undefined;
  /** Counts a request answered here for /metrics (a replayed static answer), when metrics are on. */
  observeStatic?: (path: string, seconds: number) => void;
  headers: SecurityHeaders;
  /** Starts the request's log line, or null when requests are not logged. */
  log: ((req: IncomingMessage, res: ServerResponse, path: string) => void) | null;
}

export function dispatch(t: DispatchTargets): RequestListener {
  return (req, res) => {
    const path = pathOf(req.url);
    const segment = firstSegment(path);
    // Load balancers' probes and Prometheus' scrapes would fill the log with nothing to read.
    if (!UNLOGGED.has(path)) t.log?.(req, res, path);
    if (!PROVIDER_SEGMENTS.has(segment)) {
      t.headers.page(res);
      return t.ours(req, res);
    }
    if (path === OUR_WELL_KNOWN || path.startsWith(`${OUR_WELL_KNOWN}/`)) {
      t.headers.api(res);
      return t.ours(req, res);
    }
    (API_SEGMENTS.has(segment) ? t.headers.api : t.headers.page)(res);
    const answer = req.method === "GET" ? t.staticAnswer?.(path) : undefined;
    if (!answer) return t.provider()(req, res);
    const start = t.observeStatic ? performance.now() : 0;
    replay(answer, req.headers.origin, res);
    t.observeStatic?.(path, (performance.now() - start) / 1000);
  };
}
