// GET /healthz (does the database answer) and GET /metrics (Prometheus, behind METRICS_TOKEN):
// status codes, protection, and labels that are route templates, never raw paths.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, uploadFile } from "../helpers/vault.js";

pgNotice();

const TOKEN = "metrics-token-for-the-test-0123456789";
const scrape = (s: TestServer, authorization?: string) => fetch(`${s.url}/metrics`, { headers: authorization ? { authorization } : {} });

/** The value of one sample line, e.g. passport_http_requests_total{route="/token",...}. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : null;
}

for (const db of databases()) {
  describe(`operations endpoints (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { METRICS_TOKEN: TOKEN });
    });
    after(() => s.close());

    it("/healthz answers 200 while the database answers, 503 when it does not, and 200 again after", async () => {
      const ok = await fetch(`${s.url}/healthz`);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("cache-control"), "no-store");
      assert.equal(ok.headers.get("x-content-type-options"), "nosniff", "the security headers too");
      assert.deepEqual(await ok.json(), { status: "ok", checks: { database: "ok" } });

      await s.app.container.ds.destroy();
      try {
        const down = await fetch(`${s.url}/healthz`);
        assert.equal(down.status, 503);
        assert.deepEqual(await down.json(), { status: "unavailable", checks: { database: "unavailable" } });
        assert.ok(s.logLines.some((l) => l.includes("health check failed")), "the reason is logged");
      } finally {
        await s.app.container.ds.initialize();
      }
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      assert.ok(!s.logLines.some((l) => l.includes('"/healthz"')), "probes do not fill the request log");
    });

    it("/metrics wants the bearer token", async () => {
      const none = await scrape(s);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="metrics"');
      assert.equal((await scrape(s, "Bearer wrong-token-wrong-token-wrong")).status, 401);
      assert.equal((await scrape(s, TOKEN)).status, 401, "the scheme is needed");
      const ok = await scrape(s, `Bearer ${TOKEN}`);
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
      assert.match(await ok.text(), /^passport_process_cpu_user_seconds_total /m, "process metrics too");
    });

    it("counts requests per route template, oidc-provider's endpoints included, and times them", async () => {
      await fetch(`${s.url}/.well-known/openid-configuration`);
      await fetch(`${s.url}/jwks`);
      const bad = await fetch(`${s.url}/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials&client_id=nobody&client_secret=x" });
      assert.equal(bad.status, 401);
      const h = await signUpHolder(s.url);
      const up = await uploadFile(h, crypto.randomBytes(1000));
      assert.equal((await h.agent.request("GET", `/api/vault/files/${up.id}`)).status, 200);
      const stray = crypto.randomBytes(8).toString("hex");
      assert.equal((await fetch(`${s.url}/no-such-page-${stray}`)).status, 404);
      await fetch(`${s.url}/static/css/app.css`);

      const text = await (await scrape(s, `Bearer ${TOKEN}`)).text();
      const count = (labels: Record<string, string>) => sample(text, "passport_http_requests_total", labels);
      assert.ok(count({ route: "/.well-known/openid-configuration", handler: "oidc", method: "GET", status: "200" })! >= 1);
      assert.ok(count({ route: "/jwks", handler: "oidc", status: "200" })! >= 1);
      assert.ok(count({ route: "/token", handler: "oidc", method: "POST", status: "401" })! >= 1);
      assert.ok(count({ route: "/api/vault/files/:id", handler: "passport", method: "GET", status: "200" })! >= 1);
      assert.ok(count({ route: "/api/vault/files", handler: "passport", method: "POST", status: "201" })! >= 1);
      assert.ok(count({ route: "(unmatched)", handler: "none", status: "404" })! >= 1);
      assert.ok(count({ route: "/static/*", handler: "static" })! >= 1);
      assert.ok(sample(text, "passport_http_request_duration_seconds_count", { route: "/token", method: "POST" })! >= 1, "latency of the token endpoint");
      assert.ok(sample(text, "passport_http_request_duration_seconds_bucket", { route: "/jwks", le: "+Inf" })! >= 1);
      assert.ok(!text.includes(up.id) && !text.includes(stray), "no raw path, no id, in any label");
      assert.ok(!/route="\/metrics"|route="\/healthz"/.test(text), "scrapes and probes are not counted");
    });
  });
}

describe("operations endpoints without METRICS_TOKEN", () => {
  let s: TestServer;
  before(async () => {
    s = await startServer("sqlite");
  });
  after(() => s.close());

  it("has no /metrics at all, and /healthz still answers", async () => {
    assert.equal((await scrape(s, `Bearer ${TOKEN}`)).status, 404);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  });
});
