// Security headers for every response (ours and oidc-provider's), computed once and copied onto
// each response at the HTTP layer (src/routes/dispatch.ts), before either application sees the
// request: this runs on every token request.
// - Pages (anything a browser may render: our pages, the provider's authorization and logout
//   pages, errors, unknown paths): a CSP without inline script, no framing, no sniffing, no
//   referrer leaks, cross-origin isolation.
// - API answers (JSON or JWT read by programs: token, userinfo, JWKS, discovery, …): the set OWASP
//   recommends for REST APIs, with a CSP that allows nothing at all. The page-only headers
//   (cross-origin opener policy, download and DNS-prefetch switches, the legacy XSS filter) do
//   nothing for a document no browser renders, and each header is work on every token request.
// HSTS is added to both when the issuer is https.
import type { ServerResponse } from "node:http";

const PAGE_CSP = [
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

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export interface SecurityHeaders {
  page(res: ServerResponse): void;
  api(res: ServerResponse): void;
}

function setter(headers: Record<string, string>): (res: ServerResponse) => void {
  const entries = Object.entries(headers);
  return (res) => {
    for (const [k, v] of entries) res.setHeader(k, v);
  };
}

export function securityHeaders(https: boolean): SecurityHeaders {
  const hsts: Record<string, string> = https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {};
  const common = { "referrer-policy": "no-referrer", "x-content-type-options": "nosniff", "x-frame-options": "DENY", ...hsts };
  return {
    page: setter({
      "content-security-policy": PAGE_CSP,
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-resource-policy": "same-origin",
      "origin-agent-cluster": "?1",
      "x-dns-prefetch-control": "off",
      "x-download-options": "noopen",
      "x-permitted-cross-domain-policies": "none",
      "x-xss-protection": "0",
      ...common,
    }),
    api: setter({ "content-security-policy": API_CSP, ...common }),
  };
}
