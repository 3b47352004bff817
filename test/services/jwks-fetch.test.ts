// The guarded jwks_uri fetch: internal addresses refused before any connection (after DNS, every
// address), redirects not followed, the body cut off while it streams, time bounded, results cached.
// Servers here are on 127.0.0.1, so the fetcher is built with allowPrivate where it must connect.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { JwksFetcher, JWKS_MAX_BYTES } from "../../src/services/jwks-fetch.js";
import { forbiddenAddress, forbiddenHost } from "../../src/services/outbound-address.js";

const JWKS = { keys: [{ kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", kid: "k1" }] };

describe("jwks_uri fetch", () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  let connections = 0;
  let bigCutOff: boolean | undefined;

  before(async () => {
    server = http.createServer(async (req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      if (req.url === "/jwks") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(JWKS));
      if (req.url === "/redirect") return res.writeHead(302, { location: "/jwks" }).end();
      if (req.url === "/silent") return; // never answers
      if (req.url === "/big") {
        // Offers 32 MB without a length, far more than socket buffers hold: only a client that
        // stops reading and hangs up ends it early.
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(65536, 0x20);
        for (let i = 0; i < 512 && !res.destroyed; i++) {
          if (!res.write(chunk)) await new Promise((r) => { res.once("drain", r); res.once("close", r); });
        }
        bigCutOff = res.destroyed;
        return res.end();
      }
      res.writeHead(404).end();
    });
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("classifies loopback, private, link-local, CGNAT, unique-local and metadata addresses as internal", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00:ec2::254", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe"]) {
      assert.ok(forbiddenAddress(a), a);
    }
    for (const h of ["localhost", "api.localhost", "metadata.google.internal", "[::1]", "[fd00:ec2::254]"]) assert.ok(forbiddenHost(h), h);
    for (const ok of ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]) assert.equal(forbiddenAddress(ok), null, ok);
    assert.equal(forbiddenHost("keys.example.com"), null);
  });

  it("refuses an internal address before connecting, by literal, by name and when any resolved address is internal", async () => {
    const before = connections;
    const port = new URL(base).port;
    const strict = new JwksFetcher({ allowPrivate: false });
    await assert.rejects(strict.get(`${base}/jwks`), /internal/);
    await assert.rejects(strict.get(`http://localhost:${port}/jwks`), /internal/);
    // A public-looking name whose answers include a loopback address (DNS rebinding, mixed records).
    const mixed = new JwksFetcher({ allowPrivate: false, resolve: async () => [{ address: "93.184.216.34", family: 4 }, { address: "127.0.0.1", family: 4 }] });
    await assert.rejects(mixed.get(`http://keys.example.test:${port}/jwks`), /resolves to/);
    const rebound = new JwksFetcher({ allowPrivate: false, resolve: async () => [{ address: "::ffff:127.0.0.1", family: 6 }] });
    await assert.rejects(rebound.get(`http://keys.example.test:${port}/jwks`), /resolves to/);
    assert.equal(connections, before, "no connection was made");
  });

  it("fetches once for many callers, parallel and sequential, and serves the cache after", async () => {
    const f = new JwksFetcher({ allowPrivate: true });
    const results = await Promise.all(Array.from({ length: 10 }, () => f.get(`${base}/jwks`)));
    for (let i = 0; i < 5; i++) results.push(await f.get(`${base}/jwks`));
    assert.ok(results.every((r) => r.keys[0]!.kid === "k1"));
    assert.equal(hits.get("/jwks"), 1, "15 lookups, 1 request");
  });

  it("connects to the address it resolved and checked, not to a second answer", async () => {
    let asked = 0;
    const f = new JwksFetcher({ allowPrivate: true, resolve: async () => (asked++, [{ address: "127.0.0.1", family: 4 }]) });
    const port = new URL(base).port;
    // keys.example.test resolves nowhere else: only the pinned address can answer.
    assert.equal((await f.get(`http://keys.example.test:${port}/jwks`)).keys[0]!.kid, "k1");
    assert.equal(asked, 1);
  });

  it("does not follow redirects, and remembers the failure", async () => {
    const f = new JwksFetcher({ allowPrivate: true });
    const before = hits.get("/jwks") ?? 0;
    for (let i = 0; i < 3; i++) await assert.rejects(f.get(`${base}/redirect`), /302/);
    assert.equal(hits.get("/redirect"), 1, "a failed fetch is cached too");
    assert.equal(hits.get("/jwks") ?? 0, before, "the redirect target was never requested");
  });

  it("cuts a body off at the size limit while it streams", async () => {
    const f = new JwksFetcher({ allowPrivate: true });
    await assert.rejects(f.get(`${base}/big`), /exceeds/);
    // Wait (bounded) until the server's write loop has ended.
    for (let i = 0; i < 500 && bigCutOff === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(bigCutOff, true, `the connection was closed while the server was still sending (limit ${JWKS_MAX_BYTES} bytes)`);
  });

  it("gives up on a server that does not answer", async () => {
    const f = new JwksFetcher({ allowPrivate: true, timeoutMs: 200 });
    await assert.rejects(f.get(`${base}/silent`), /did not answer within 200 ms/);
  });

  it("serves oidc-provider's fetch hook from the same cache and refuses anything but GET", async () => {
    const f = new JwksFetcher({ allowPrivate: true });
    const before = hits.get("/jwks") ?? 0;
    await f.get(`${base}/jwks`);
    const res = await f.providerFetch(`${base}/jwks`, { method: "GET" });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), JWKS);
    assert.match(res.headers.get("cache-control")!, /^max-age=\d+$/);
    assert.equal(hits.get("/jwks"), before + 1);
    await assert.rejects(f.providerFetch(`${base}/jwks`, { method: "POST" }), /not allowed/);
  });
});
