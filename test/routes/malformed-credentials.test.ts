// Malformed credentials and bodies answer 400/401 with an OAuth error, never a 500; a client learns
// nothing from another client's token (answered exactly like an invalid one); a holder's browser
// that drops an upload halfway is not logged as a server error.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, type Rp } from "../helpers/oidc.js";
import { signUpHolder } from "../helpers/vault.js";

pgNotice();

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const basicOf = (id: string, secret: string) => `Basic ${b64(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
const OAUTH_ERRORS = new Set(["invalid_client", "invalid_request", "invalid_token"]);

/** Authorization header values a client (or an attacker) might send; `id` is a registered client. */
function malformedAuthorizations(id: string): string[] {
  return [
    `Basic ${b64("%:%")}`,
    `Basic ${b64(`${id}:%E0%A4%A`)}`,
    `Basic ${b64("%ZZ:secret")}`,
    `Basic ${b64("no-colon-here")}`,
    `Basic ${b64(":")}`,
    `Basic ${b64(`${id}:`)}`,
    "Basic !!!not base64!!!",
    "Basic ====",
    "Basic",
    `Basic ${"QUFB".repeat(3000)}`,
    "Bearer",
    "Bearer %",
    `Bearer ${"a".repeat(8000)}`,
    "Digest username=x",
    "\u00ff\u00fe",
  ];
}

const reportBody = (token: string) => ({ access_token: token, errors: [{ type: "passport", version: 1, kind: "unspecified", message: "x" }] });

for (const db of databases()) {
  describe(`malformed credentials and oracles (${db})`, () => {
    let s: TestServer;
    let a: Rp;
    let b: Rp;
    let aToken: string;

    before(async () => {
      s = await startServer(db);
      a = await registerRp(s, { name: "Client A" });
      b = await registerRp(s, { name: "Client B" });
      aToken = (await codeFlow(a, new Agent(s.url), await createHolder(s.app.container))).tokens.access_token;
    });
    after(() => s.close());

    const post = async (path: string, body: string, headers: Record<string, string>) => {
      const res = await fetch(`${s.url}${path}`, { method: "POST", headers, body });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    it("/passport/errors: every malformed Authorization header or body is a 400/401 with an OAuth error", async () => {
      const json = { "content-type": "application/json" };
      const answers = await Promise.all([
        ...malformedAuthorizations(b.clientId).map(async (authorization) => [authorization, await post("/passport/errors", JSON.stringify(reportBody(aToken)), { ...json, authorization })] as const),
        ...[
          { client_id: 7, client_secret: "x" },
          { client_id: b.clientId, client_secret: ["x"] },
          { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: "%%%.%%%.%%%" },
          { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: `${b64("{")}.${b64("{")}.x` },
        ].map(async (creds) => [JSON.stringify(creds), await post("/passport/errors", JSON.stringify({ ...reportBody(aToken), ...creds }), json)] as const),
        ["bad JSON", await post("/passport/errors", "{", { ...json, authorization: basicOf(b.clientId, b.secret!) })] as const,
        ["over the size limit", await post("/passport/errors", JSON.stringify({ ...reportBody(aToken), pad: "x".repeat(400_000) }), { ...json, authorization: basicOf(b.clientId, b.secret!) })] as const,
      ]);
      for (const [what, res] of answers) {
        assert.ok(res.status >= 400 && res.status < 500, `${what.slice(0, 60)}: ${res.status} ${res.text.slice(0, 200)}`);
        if (res.status !== 413) assert.ok(OAUTH_ERRORS.has(JSON.parse(res.text).code), `${what.slice(0, 60)}: ${res.text.slice(0, 200)}`);
      }
      assert.ok(!s.logLines.some((l) => l.includes("request failed")), "no server error was logged");
    });

    it("/passport/files/:id: malformed Authorization headers are 400/401, never 500", async () => {
      const answers = await Promise.all(
        malformedAuthorizations(b.clientId).map(async (authorization) => {
          const res = await fetch(`${s.url}/passport/files/${crypto.randomUUID()}`, { headers: { authorization } });
          return [authorization, res.status, await res.text()] as const;
        }),
      );
      const big = await post(`/passport/files/${crypto.randomUUID()}`, JSON.stringify({ pad: "x".repeat(400_000) }), { "content-type": "application/json", authorization: "Bearer x" });
      assert.ok(big.status >= 400 && big.status < 500, `oversized body: ${big.status}`);
      for (const [what, status, text] of answers) {
        assert.ok(status === 400 || status === 401, `${what.slice(0, 60)}: ${status} ${text.slice(0, 200)}`);
        assert.ok(OAUTH_ERRORS.has(JSON.parse(text).code), text);
      }
    });

    it("/token/introspection: malformed client credentials and oversized bodies are 4xx with an OAuth error", async () => {
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const answers = await Promise.all([
        ...malformedAuthorizations(b.clientId).map(async (authorization) => [authorization, await post("/token/introspection", new URLSearchParams({ token: aToken }).toString(), { ...form, authorization })] as const),
        ["over the size limit", await post("/token/introspection", new URLSearchParams({ token: aToken, pad: "x".repeat(400_000) }).toString(), { ...form, authorization: basicOf(b.clientId, b.secret!) })] as const,
      ]);
      for (const [what, res] of answers) {
        assert.ok(res.status >= 400 && res.status < 500, `${what.slice(0, 60)}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.ok(JSON.parse(res.text).error, `${what.slice(0, 60)}: ${res.text.slice(0, 200)}`);
      }
    });

    it("/passport/errors answers another client's token exactly like an invalid one", async () => {
      const ask = async (token: string) => {
        const res = await post("/passport/errors", JSON.stringify(reportBody(token)), { "content-type": "application/json", authorization: basicOf(b.clientId, b.secret!) });
        // The date and the fresh random CSRF cookie differ between any two requests; compare cookie names.
        const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== "date").map(([k, v]) => [k, k === "set-cookie" ? v.replace(/=[^;]*/, "=…") : v]));
        return { status: res.status, text: res.text, headers };
      };
      const foreign = await ask(aToken);
      const invalid = await ask(crypto.randomBytes(32).toString("base64url"));
      assert.equal(foreign.status, 401);
      assert.deepEqual(foreign, invalid, "same status, body and headers");
    });

    it("a browser that drops an upload halfway is not logged as a server error", async () => {
      const h = await signUpHolder(s.url);
      const url = new URL(`/api/vault/files?id=${crypto.randomUUID()}`, s.url);
      const req = http.request(url, {
        method: "POST",
        headers: {
          cookie: [...(h.agent as unknown as { jar: Map<string, string> }).jar].map(([k, v]) => `${k}=${v}`).join("; "),
          "x-csrf-token": h.agent.csrf,
          "x-wrapped-key": `v1.${"A".repeat(16)}.${"B".repeat(64)}`,
          "content-type": "application/octet-stream",
          "content-length": "100000",
        },
      });
      req.on("error", () => undefined);
      req.write(Buffer.alloc(20_000, 1));
      // Wait (bounded) until the server is reading the body, then hang up.
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
      const logged = () => s.logLines.find((l) => l.includes("/api/vault/files") && l.includes('"request"'));
      for (let i = 0; i < 200 && !logged(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(logged(), "the request was logged");
      assert.doesNotMatch(logged()!, /"status":500/);
      assert.ok(!s.logLines.some((l) => l.includes("request failed") && l.includes("/api/vault/files")), "no server error was logged");
    });
  });
}
