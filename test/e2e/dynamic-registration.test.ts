// Dynamic client registration (RFC 7591) and management (RFC 7592) with plain HTTP requests, as a
// developer's tool would do it: initial access tokens issued by an admin (stored hashed, spent
// atomically), the same client rules as the admin page, RFC 7591 errors naming the field, and a
// registered client that then signs a holder in through openid-client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { CALLBACK, codeFlow, rpConfig, rpKeyPair } from "../helpers/oidc.js";
import { ClientEntity } from "../../src/db/entities.js";
import { hashClientSecret } from "../../src/services/client-secrets.js";

pgNotice();

const HOUR = 3_600_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(url: string, method: string, token: string | null, json?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const basic = (name: string) => ({ client_name: name, redirect_uris: [CALLBACK], grant_types: ["authorization_code"], scope: "openid email" });

for (const db of databases()) {
  describe(`dynamic client registration (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let reg: string;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      reg = `${s.url}/reg`;
    });
    after(() => s.close());

    const issue = (opts: { uses?: number | null; expiresInMs?: number; now?: number } = {}) =>
      s.app.container.registration.issue({ expiresInMs: opts.expiresInMs ?? HOUR, uses: opts.uses ?? null, now: opts.now });

    it("is advertised in discovery", async () => {
      const meta = (await rpConfig(s, "discovery-only")).serverMetadata();
      assert.equal(meta.registration_endpoint, reg);
    });

    it("registers, reads, updates (rotating the access token), signs a holder in, and deletes", async () => {
      const { token } = await issue({ uses: 1 });
      const created = await call(reg, "POST", token, basic("Dynamic RP"));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const clientId = created.body.client_id as string;
      const secret = created.body.client_secret as string;
      const rat1 = created.body.registration_access_token as string;
      const uri = created.body.registration_client_uri as string;
      assert.ok(clientId && secret && rat1, JSON.stringify(created.body));
      assert.equal(uri, `${reg}/${clientId}`);
      assert.deepEqual(created.body.redirect_uris, [CALLBACK]);

      // Only the secret's hash is stored; the secret is in the registration response alone.
      const row = await s.app.container.ds.getRepository(ClientEntity).findOneByOrFail({ clientId });
      assert.ok(!row.metadata.includes(secret), "the secret is stored in the clear");
      assert.ok(row.metadata.includes(hashClientSecret(secret)), "the secret's hash is stored");

      const read = await call(uri, "GET", rat1);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal(read.body.client_name, "Dynamic RP");
      assert.equal(read.body.client_secret, undefined, "a read must not return the stored hash as the secret");

      const updated = await call(uri, "PUT", rat1, { ...basic("Dynamic RP, renamed"), client_id: clientId });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const rat2 = updated.body.registration_access_token as string;
      assert.ok(rat2 && rat2 !== rat1, "the registration access token is rotated on update");
      assert.equal((await call(uri, "GET", rat1)).status, 401, "the old registration access token is refused");
      const reread = await call(uri, "GET", rat2);
      assert.equal(reread.status, 200);
      assert.equal(reread.body.client_name, "Dynamic RP, renamed");

      // The secret from the registration still authenticates after the update.
      const config = await rpConfig(s, clientId, { client_secret: secret });
      const { claims } = await codeFlow({ clientId, secret, config }, new Agent(s.url), holder);
      assert.equal(claims.aud, clientId);

      // The client's change log names dynamic registration as the way in.
      const log = await s.app.container.clientActivity.changes(clientId);
      assert.deepEqual(log.map((c) => [c.via, c.action]).sort(), [["registration", "create"], ["registration", "update"]]);

      const deleted = await call(uri, "DELETE", rat2);
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
      assert.equal(await s.app.container.clients.exists(clientId), false);
      assert.equal((await call(uri, "GET", rat2)).status, 401);
    });

    it("refuses a missing, wrong, revoked, expired or used-up initial access token", async () => {
      const body = basic("Refused RP");
      const valid = await issue({ uses: 1 });
      const revoked = await issue();
      await s.app.container.registration.revoke(revoked.id);
      const expired = await issue({ expiresInMs: 60_000, now: Date.now() - 2 * 60_000 });
      const cases: [string, string | null][] = [
        ["missing", null],
        ["wrong", `${valid.token.slice(0, -2)}xx`],
        ["revoked", revoked.token],
        ["expired", expired.token],
      ];
      for (const [label, token] of cases) {
        const r = await call(reg, "POST", token, body);
        assert.equal(r.status, 401, `${label}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error, "invalid_token", label);
      }
      assert.equal((await call(reg, "POST", valid.token, body)).status, 201);
      const again = await call(reg, "POST", valid.token, body);
      assert.equal(again.status, 401, `used up: ${JSON.stringify(again.body)}`);
      const listed = (await s.app.container.registration.list()).find((t) => t.id === valid.id)!;
      assert.deepEqual([listed.usesLeft, listed.used], [0, 1]);
    });

    it("answers each invalid registration with the RFC 7591 error naming the field", async () => {
      const { publicJwk: sig } = await rpKeyPair("RS256", "sig-1");
      const { token, id } = await issue({ uses: 100 });
      const cases: [string, Record<string, unknown>, string, string][] = [
        ["http outside loopback", { redirect_uris: ["http://rp.example/cb"] }, "invalid_redirect_uri", "redirect_uris"],
        ["a fragment", { redirect_uris: ["https://rp.example/cb#x"] }, "invalid_redirect_uri", "redirect_uris"],
        ["not a URL", { redirect_uris: ["cb"] }, "invalid_redirect_uri", "redirect_uris"],
        ["no redirect URI", { redirect_uris: [] }, "invalid_redirect_uri", "redirect_uris"],
        ["alg none", { id_token_signed_response_alg: "none" }, "invalid_client_metadata", "id_token_signed_response_alg"],
        ["RSA1_5", { jwks: { keys: [sig] }, id_token_encrypted_response_alg: "RSA1_5" }, "invalid_client_metadata", "id_token_encrypted_response_alg"],
        ["none elsewhere", { request_object_signing_alg: "none" }, "invalid_client_metadata", "request_object_signing_alg"],
        ["jwks_uri over http", { jwks_uri: "http://rp.example/jwks" }, "invalid_client_metadata", "jwks_uri"],
        ["jwks_uri on a private host", { jwks_uri: "https://10.0.0.1/jwks" }, "invalid_client_metadata", "jwks_uri"],
        ["Passport scopes without a key", { scope: "openid passport:passport" }, "invalid_client_metadata", "scope"],
        ["a private key", { jwks: { keys: [{ ...sig, d: "AAAA" }] } }, "invalid_client_metadata", "jwks"],
        ["an unknown auth method", { token_endpoint_auth_method: "client_secret_jwt" }, "invalid_client_metadata", "token_endpoint_auth_method"],
        ["implicit", { grant_types: ["implicit"] }, "invalid_client_metadata", "grant_types"],
        ["a long name", { client_name: "x".repeat(101) }, "invalid_client_metadata", "client_name"],
        ["a purpose that is not text", { passport_purpose: 42 }, "invalid_client_metadata", "passport_purpose"],
      ];
      for (const [label, change, error, field] of cases) {
        const r = await call(reg, "POST", token, { ...basic(`Invalid: ${label}`), ...change });
        assert.equal(r.status, 400, `${label}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error, error, `${label}: ${JSON.stringify(r.body)}`);
        assert.match(String(r.body.error_description), new RegExp(`\\b${field}\\b`), `${label}: ${JSON.stringify(r.body)}`);
      }
      const notJson = await fetch(reg, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{" });
      assert.equal(notJson.status, 400);
      // Refused registrations give their use back and create nothing.
      const listed = (await s.app.container.registration.list()).find((t) => t.id === id)!;
      assert.equal(listed.usesLeft, 100, `uses left after refusals: ${listed.usesLeft}`);
      assert.equal((await s.app.container.clients.list()).filter((c) => c.name.startsWith("Invalid:")).length, 0);
    });

    it("an update goes through the same rules", async () => {
      const { token } = await issue({ uses: 1 });
      const created = await call(reg, "POST", token, basic("To be broken"));
      const uri = created.body.registration_client_uri as string;
      const r = await call(uri, "PUT", created.body.registration_access_token as string, { ...basic("To be broken"), client_id: created.body.client_id, redirect_uris: ["http://rp.example/cb"] });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, "invalid_redirect_uri");
      assert.deepEqual((await s.app.container.clients.get(created.body.client_id as string)).input.redirectUris, [CALLBACK]);
      // Malformed or oversized update bodies are refused as requests, never a server error.
      const rat = created.body.registration_access_token as string;
      for (const body of ["{", `{"client_secret":"${"x".repeat(100_000)}"}`]) {
        const res = await fetch(uri, { method: "PUT", headers: { authorization: `Bearer ${rat}`, "content-type": "application/json" }, body });
        assert.ok(res.status >= 400 && res.status < 500, `${res.status} for a ${body.length}-byte body`);
      }
    });

    it("an update may carry the client secret (RFC 7592): the right one is accepted, a wrong one refused", async () => {
      const { token } = await issue({ uses: 1 });
      const created = await call(reg, "POST", token, basic("Secret echo"));
      const { client_id, client_secret, registration_client_uri: uri } = created.body as Record<string, string>;
      const wrong = await call(uri!, "PUT", created.body.registration_access_token as string, { ...basic("Secret echo"), client_id, client_secret: `${client_secret}x` });
      assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
      assert.equal(wrong.body.error, "invalid_request");
      const right = await call(uri!, "PUT", created.body.registration_access_token as string, { ...basic("Secret echo, updated"), client_id, client_secret });
      assert.equal(right.status, 200, JSON.stringify(right.body));
      assert.equal(right.body.client_name, "Secret echo, updated");
      assert.equal(right.body.client_secret, undefined);
      // The secret is unchanged: still only its hash is stored, and it still authenticates.
      const row = await s.app.container.ds.getRepository(ClientEntity).findOneByOrFail({ clientId: client_id! });
      assert.ok(row.metadata.includes(hashClientSecret(client_secret!)) && !row.metadata.includes(client_secret!));
    });

    it("Passport scopes wait for an administrator's approval, with the stated purpose", async () => {
      const { publicJwk: enc } = await rpKeyPair("RSA-OAEP-256", "enc-1");
      const { token } = await issue({ uses: 1 });
      const r = await call(reg, "POST", token, { ...basic("Passport RP"), scope: "openid passport:passport", jwks: { keys: [enc] }, passport_purpose: "Checking the age of customers" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const view = await s.app.container.clients.get(r.body.client_id as string);
      assert.equal(view.approval, "pending");
      assert.equal(view.purpose, "Checking the age of customers");
    });

    it("a one-use token raced by 10 parallel registrations creates exactly one client", async () => {
      const { token } = await issue({ uses: 1 });
      const answers = await Promise.all(Array.from({ length: 10 }, () => call(reg, "POST", token, basic("Raced RP"))));
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, ...Array(9).fill(401)], JSON.stringify(answers.map((a) => a.body.error ?? a.status)));
      assert.equal((await s.app.container.clients.list()).filter((c) => c.name === "Raced RP").length, 1);
    });
  });
}
