// Discovery and the JWKS are answered from bytes the provider made once per build
// (src/oidc/static-answers.ts): they must be exactly what oidc-provider itself answers, with its
// CORS headers per request, and follow a key rotation at once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startServer, type TestServer } from "../helpers/server.js";

const PATHS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks"];

describe("discovery and JWKS answered from the provider's prerendered bytes", () => {
  let s: TestServer;
  let providerOnly: http.Server;
  let providerUrl: string;
  before(async () => {
    s = await startServer("sqlite");
    // oidc-provider's own handler, without the dispatcher in front: what it answers itself.
    providerOnly = http.createServer((req, res) => s.app.host.handler(req, res));
    await new Promise<void>((resolve) => providerOnly.listen(0, "127.0.0.1", resolve));
    providerUrl = `http://127.0.0.1:${(providerOnly.address() as AddressInfo).port}`;
  });
  after(async () => {
    providerOnly.closeAllConnections();
    await new Promise<void>((resolve) => providerOnly.close(() => resolve()));
    await s.close();
  });

  /** oidc-provider's own answer, asked with the issuer's Host (it names its endpoints after the Host it was asked at). */
  function providerAnswer(path: string, headers: Record<string, string>): Promise<{ body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${providerUrl}${path}`, { headers: { ...headers, host: new URL(s.url).host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ body: Buffer.concat(chunks).toString(), headers: res.headers }));
      });
      req.on("error", reject);
    });
  }

  it("names the issuer's endpoints whatever Host the request came with", async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${s.url}/.well-known/openid-configuration`, { headers: { host: "attacker.example" } }, (r) => {
        let body = "";
        r.on("data", (c: Buffer) => (body += c.toString()));
        r.on("end", () => resolve(body));
      });
      req.on("error", reject);
    });
    const doc = JSON.parse(res) as Record<string, unknown>;
    for (const name of ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"]) {
      assert.ok(String(doc[name]).startsWith(`${s.url}/`), `${name}: ${String(doc[name])}`);
    }
  });

  it("serves the provider's own body and headers, with the caller's Origin", async () => {
    for (const path of PATHS) {
      assert.ok(s.app.host.staticAnswer(path), `${path} is prerendered`);
      for (const origin of [undefined, "https://rp.example"]) {
        const headers: Record<string, string> = origin ? { origin } : {};
        const [ours, theirs] = await Promise.all([fetch(`${s.url}${path}?x=1`, { headers }), providerAnswer(path, headers)]);
        assert.equal(ours.status, 200, path);
        assert.equal(await ours.text(), theirs.body, `${path}: the same bytes`);
        for (const h of ["content-type", "access-control-allow-origin", "vary"]) assert.equal(ours.headers.get(h), theirs.headers[h], `${path}: ${h}`);
        assert.equal(ours.headers.get("access-control-allow-origin"), origin ?? "*");
        assert.equal(ours.headers.get("x-content-type-options"), "nosniff", "the API security headers too");
      }
    }
  });

  it("leaves HEAD, CORS preflights and other methods to the provider", async () => {
    const head = await fetch(`${s.url}/jwks`, { method: "HEAD" });
    assert.equal(head.status, 200);
    const preflight = await fetch(`${s.url}/.well-known/openid-configuration`, {
      method: "OPTIONS",
      headers: { origin: "https://rp.example", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://rp.example");
    const post = await fetch(`${s.url}/jwks`, { method: "POST" });
    assert.ok(post.status >= 400 && post.status < 500, `POST /jwks: ${post.status}`);
  });

  it("answers the new keys as soon as the provider is rebuilt after a rotation", async () => {
    const kids = async () => ((await (await fetch(`${s.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await kids();
    await s.app.container.keys.rotateSigningKeys();
    assert.deepEqual(await kids(), before, "the running provider keeps its keys until it is rebuilt");
    assert.equal(await s.app.host.refresh(), true);
    const { jwks } = await s.app.container.keys.signingKeys();
    const now = await kids();
    for (const key of jwks) assert.ok(now.includes(key.kid!), `the new key ${key.kid} is published`);
    assert.notDeepEqual(now, before);
    // Discovery lists signing algorithms in the order of the keys: it is rebuilt with them.
    const discovery = "/.well-known/openid-configuration";
    assert.equal(await (await fetch(`${s.url}${discovery}`)).text(), (await providerAnswer(discovery, {})).body);
  });
});
