// Security headers on our pages and on oidc-provider's endpoints alike: the page set wherever a
// browser may render the answer, the API set (a CSP that allows nothing) on the endpoints programs call.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.js";

describe("security headers", () => {
  let s: TestServer;
  before(async () => {
    s = await startServer("sqlite");
  });
  after(() => s.close());

  for (const path of ["/", "/signin", "/auth", "/session/end", "/no-such-page", "/.well-known/openid-configuration", "/jwks", "/me", "/token"]) {
    const api = ["/.well-known/openid-configuration", "/jwks", "/me", "/token"].includes(path);
    it(`${path} carries the ${api ? "API" : "page"} CSP and friends`, async () => {
      const res = await fetch(`${s.url}${path}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      if (api) assert.match(csp, /^default-src 'none'/);
      else assert.match(csp, /script-src 'self'/);
      assert.equal(res.headers.get("cross-origin-opener-policy"), api ? null : "same-origin");
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      assert.equal(res.headers.get("referrer-policy"), "no-referrer");
      assert.equal(res.headers.get("strict-transport-security"), null, "no HSTS on an http issuer");
    });
  }

  it("adds HSTS when the issuer is https", async () => {
    const https = await startServer("sqlite", { ISSUER: "https://id.example.test", TRUST_PROXY: "true" });
    try {
      const res = await fetch(`${https.url}/signin`, { headers: { "x-forwarded-proto": "https" } });
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
    } finally {
      await https.close();
    }
  });
});
