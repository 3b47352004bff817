// The reverse-proxy example of docs/deploy.md, run for real: nginx starts from
// docs/deploy/nginx.conf (only host name, ports and certificate paths replaced) with a self-signed
// certificate made here, in front of a Passport with TRUST_PROXY. Discovery over https names the
// https issuer, secure cookies work, /metrics stays private, and the address-based limits see the
// client's own address, not nginx's and not one the client made up.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createAccountMaterial } from "../../src/crypto/index.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { freePort } from "../helpers/process.js";
import { startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";

const NGINX = "/usr/sbin/nginx";
const DOC_CONF = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "deploy", "nginx.conf");
/** The client's address: another loopback address than nginx's own 127.0.0.1. */
const CLIENT_ADDRESS = "127.0.0.3";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One https request through nginx, trusting only the test's certificate. */
function request(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? "GET", headers: opts.headers, ca, localAddress: CLIENT_ADDRESS }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The documented config with only what a test must change replaced (each must be there). */
function testConfig(ports: { https: number; http: number; upstream: number }, cert: string, key: string): string {
  let conf = fs.readFileSync(DOC_CONF, "utf8");
  const swaps: [string, string][] = [
    ["server 127.0.0.1:3000;", `server 127.0.0.1:${ports.upstream};`],
    ["listen 443 ssl;", `listen 127.0.0.1:${ports.https} ssl;`],
    ["listen 443 ssl default_server;", `listen 127.0.0.1:${ports.https} ssl default_server;`],
    ["listen 80;", `listen 127.0.0.1:${ports.http};`],
    ["/etc/letsencrypt/live/id.example.org/fullchain.pem", cert],
    ["/etc/letsencrypt/live/id.example.org/privkey.pem", key],
  ];
  for (const [from, to] of swaps) {
    assert.ok(conf.includes(from), `docs/deploy/nginx.conf still has "${from}"`);
    conf = conf.replaceAll(from, to);
  }
  return conf.replaceAll("id.example.org", "localhost");
}

if (!fs.existsSync(NGINX)) {
  console.log(`# nginx tests skipped: ${NGINX} is not installed (apt-get install nginx; .ci/run does)`);
} else {
  describe("docs/deploy/nginx.conf in front of Passport", () => {
    let dir: string;
    let nginx: ChildProcess;
    let s: TestServer;
    let base: string;
    let ca: string;
    let httpPort: number;
    let log = "";

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-nginx-"));
      const cert = path.join(dir, "cert.pem");
      const key = path.join(dir, "key.pem");
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert], { stdio: "ignore" });
      ca = fs.readFileSync(cert, "utf8");
      const httpsPort = await freePort();
      httpPort = await freePort();
      base = `https://localhost:${httpsPort}`;
      s = await startServer("sqlite", { ISSUER: base, TRUST_PROXY: "true", SIGNUP_PER_IP_PER_HOUR: "2" });
      const upstream = Number(new URL(s.url).port);
      fs.writeFileSync(path.join(dir, "passport.conf"), testConfig({ https: httpsPort, http: httpPort, upstream }, cert, key));
      // The frame a distribution's /etc/nginx/nginx.conf provides, kept inside the temp folder.
      const temps = ["body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t === "body" ? "client_body" : t}_temp_path ${path.join(dir, t)};`);
      fs.writeFileSync(
        path.join(dir, "nginx.conf"),
        `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${path.join(dir, "nginx.pid")};\nerror_log stderr warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  ${temps.join("\n  ")}\n  include ${path.join(dir, "passport.conf")};\n}\n`,
      );
      nginx = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
      nginx.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      for (let i = 0; ; i++) {
        if (nginx.exitCode !== null) assert.fail(`nginx exited: ${log}`);
        const up = await request(`${base}/healthz`, ca).catch(() => null);
        if (up?.status === 200) break;
        if (i === 100) assert.fail(`nginx did not answer: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    after(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((r) => nginx.once("exit", r));
        nginx.kill("SIGTERM");
        await exited;
      }
      await s?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("serves discovery over https with the https issuer", async () => {
      const res = await request(`${base}/.well-known/openid-configuration`, ca);
      assert.equal(res.status, 200);
      const d = JSON.parse(res.body);
      assert.equal(d.issuer, base);
      assert.equal(d.token_endpoint, `${base}/token`);
      assert.match(res.headers["strict-transport-security"] as string, /max-age=/, "HSTS from Passport");
      const jwks = await request(`${base}/jwks`, ca);
      assert.equal(JSON.parse(jwks.body).keys.length > 0, true);
    });

    it("answers no other host name", async () => {
      const forged = await request(`${base}/.well-known/openid-configuration`, ca, { headers: { host: "evil.example" } }).catch((e: Error) => e);
      assert.ok(forged instanceof Error || (forged.status !== 200 && !forged.body.includes("evil.example")), `no discovery naming a forged host: ${forged instanceof Error ? forged.message : forged.status}`);
      const otherName = await new Promise<Error | null>((resolve) => {
        const req = https.request(`https://127.0.0.1:${new URL(base).port}/`, { ca, servername: "evil.example", localAddress: CLIENT_ADDRESS }, () => resolve(null));
        req.on("error", resolve);
        req.end();
      });
      assert.ok(otherName instanceof Error, "the handshake for another name is refused");
    });

    it("redirects plain http to https, and keeps /metrics off the internet", async () => {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`http://localhost:${httpPort}/signin`, resolve).on("error", reject));
      res.resume();
      assert.equal(res.statusCode, 301);
      assert.equal(res.headers.location, "https://localhost/signin");
      assert.equal((await request(`${base}/metrics`, ca)).status, 404);
    });

    it("sets secure cookies, and counts sign-ups by the client's own address, whatever X-Forwarded-For it sends", async () => {
      const page = await request(`${base}/signup`, ca);
      assert.equal(page.status, 200);
      const cookies = (page.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!);
      assert.ok((page.headers["set-cookie"] ?? []).every((c) => /;\s*secure/i.test(c)), "every cookie is Secure behind https");
      const csrf = cookies.find((c) => c.startsWith("passport.csrf="))!.slice("passport.csrf=".length);
      const signUp = async (spoofed: string) => {
        const m = await createAccountMaterial("a long enough password", TEST_KDF_ITERATIONS);
        return request(`${base}/api/signup`, ca, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: cookies.join("; "), "x-forwarded-for": spoofed },
          body: JSON.stringify({ email: uniqueEmail("proxy"), ...m.body }),
        });
      };
      assert.equal((await signUp("203.0.113.1")).status, 201);
      assert.equal((await signUp("203.0.113.2")).status, 201);
      const third = await signUp("203.0.113.3");
      assert.equal(third.status, 429, "a made-up address does not escape the limit (SIGNUP_PER_IP_PER_HOUR=2)");
      const keys = (await s.app.container.ds.query("SELECT key FROM attempt_counters WHERE key LIKE 'signup:ip:%'")).map((r: { key: string }) => r.key);
      assert.deepEqual(keys, [`signup:ip:${CLIENT_ADDRESS}`], "counted under the client's address: not nginx's, not a made-up one");
    });
  });
}
