// Security headers for every response (ours and oidc-provider's): a CSP without inline script,
// no framing, no sniffing, no referrer leaks; HSTS when the issuer is https.
import helmet from "koa-helmet";
import type Koa from "koa";

export function securityHeaders(https: boolean): Koa.Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        // No form-action: after consent the browser must follow redirects to the client.
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "no-referrer" },
    crossOriginEmbedderPolicy: false,
  }) as unknown as Koa.Middleware;
}

/** Pages with secrets in them (sign-in, account, admin) must not be cached. */
export const noStore: Koa.Middleware = async (ctx, next) => {
  await next();
  ctx.set("cache-control", "no-store");
};
