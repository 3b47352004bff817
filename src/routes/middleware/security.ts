// Security headers for every response (ours and oidc-provider's): a CSP without inline script,
// no framing, no sniffing, no referrer leaks; HSTS when the issuer is https. The set never changes,
// so it is computed once and copied onto each response at the HTTP layer (src/routes/dispatch.ts),
// before either application sees the request: this runs on every token request.
import type { ServerResponse } from "node:http";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // No form-action: after consent the browser must follow redirects to the client.
].join("; ");

export function securityHeaders(https: boolean): (res: ServerResponse) => void {
  const headers: Record<string, string> = {
    "content-security-policy": CSP,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "origin-agent-cluster": "?1",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-dns-prefetch-control": "off",
    "x-download-options": "noopen",
    "x-frame-options": "DENY",
    "x-permitted-cross-domain-policies": "none",
    "x-xss-protection": "0",
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
  const entries = Object.entries(headers);
  return (res) => {
    for (const [k, v] of entries) res.setHeader(k, v);
  };
}
