// A client's jwks_uri cannot make Passport knock on internal addresses: such URIs are refused at
// registration (naming the field), an unauthenticated request never makes the server connect
// anywhere, fetch errors are not reflected, and keys are fetched once for a burst of requests.
// A TCP server on 127.0.0.1 counts connections (it never speaks TLS: a connection is the harm).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { SignJWT, generateKeyPair } from "jose";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { ClientStore } from "../../src/db/clients.js";
import { ValidationError } from "../../src/errors.js";
import { clientForm, fieldError, signedIn } from "../admin/admin-helpers.js";

pgNotice();

const INTERNAL = [
  "https://127.0.0.1/jwks",
  "https://localhost/jwks",
  "https://10.0.0.8/jwks",
  "https://172.16.3.4/jwks",
  "https://192.168.1.1/jwks",
  "https://169.254.169.254/latest/meta-data",
  "https://metadata.google.internal/computeMetadata/v1",
  "https://100.64.0.1/jwks",
  "https://0.0.0.0/jwks",
  "https://[::1]/jwks",
  "https://[fd00:ec2::254]/jwks",
  "https://[fe80::1]/jwks",
  "https://[::ffff:127.0.0.1]/jwks",
];

function countingServer() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  return {
    server,
    count: () => connections,
    listen: () => new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const privateKeyJwtInput = (name: string, jwksUri: string) => ({
  name,
  type: "confidential",
  tokenEndpointAuthMethod: "private_key_jwt",
  grantTypes: ["client_credentials"],
  scopes: ["openid"],
  redirectUris: [],
  postLogoutRedirectUris: [],
  jwksUri,
});

/** A row as written before registration checked jwks_uri (or with the development option on). */
async function insertLegacyClient(s: TestServer, clientId: string, jwksUri: string) {
  await new ClientStore(s.app.container.ds).insert({ clientId, name: clientId, enabled: true, createdAt: Date.now(), updatedAt: Date.now(), metadata: JSON.stringify({ input: privateKeyJwtInput(clientId, jwksUri), secretHash: null }) });
}

/** Requests that carry no valid client authentication, all naming the client with the jwks_uri. */
async function unauthenticated(s: TestServer, clientId: string) {
  const { privateKey } = await generateKeyPair("ES256");
  const assertion = (claims: { aud?: string; exp?: string; iss?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "attacker" })
      .setIssuer(claims.iss ?? clientId)
      .setSubject(clientId)
      .setAudience(claims.aud ?? `${s.url}/passport/errors`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? "2m")
      .sign(privateKey);
  const type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  return [
    {},
    { client_assertion_type: type, client_assertion: "not.a.jwt" },
    { client_assertion_type: type, client_assertion: await assertion({ aud: "https://elsewhere.example" }) },
    { client_assertion_type: type, client_assertion: await assertion({ exp: "-1m" }) },
    { client_assertion_type: type, client_assertion: await assertion({ iss: "someone-else" }) },
  ];
}

/** A well-formed assertion for the client, signed by a key the client never registered. */
async function forgedAssertion(s: TestServer, clientId: string, aud = `${s.url}/passport/errors`) {
  const { privateKey } = await generateKeyPair("ES256");
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: "attacker" }).setIssuer(clientId).setSubject(clientId).setAudience(aud).setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime("2m").sign(privateKey);
  return { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: jwt };
}

const report = (s: TestServer, extra: Record<string, unknown>) =>
  fetch(`${s.url}/passport/errors`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ access_token: "x".repeat(40), errors: [{ type: "passport", version: 1, kind: "unspecified", message: "x" }], ...extra }),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

const tokenRequest = (s: TestServer, clientId: string, assertion: Record<string, string>) =>
  fetch(`${s.url}/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, ...assertion }) }).then(async (r) => ({ status: r.status, text: await r.text() }));

for (const db of databases()) {
  describe(`jwks_uri and internal addresses (${db})`, () => {
    let s: TestServer;
    const target = countingServer();
    let port: number;

    before(async () => {
      port = await target.listen();
      s = await startServer(db);
    });
    after(async () => {
      await s.close();
      await target.close();
    });

    it("registration refuses jwks_uri on each internal address class, naming the field", async () => {
      for (const jwksUri of INTERNAL) {
        await assert.rejects(s.app.container.clients.create(privateKeyJwtInput("Probe", jwksUri)), (err: unknown) => {
          assert.ok(err instanceof ValidationError, `${jwksUri}: ${String(err)}`);
          assert.ok(err.fields.jwksUri, `${jwksUri} names jwksUri: ${JSON.stringify(err.fields)}`);
          return true;
        });
      }
      const ok = await s.app.container.clients.create(privateKeyJwtInput("Public keys", "https://keys.example.com/jwks"));
      assert.equal(ok.client.input.jwksUri, "https://keys.example.com/jwks");

      // The admin page shows the message beside the field.
      const { agent } = await signedIn(s, true);
      const page = await agent.request("POST", "/admin/clients", { form: clientForm({ tokenEndpointAuthMethod: "private_key_jwt", jwksUri: "https://169.254.169.254/keys" }) });
      assert.equal(page.status, 400);
      assert.match(fieldError(page.text, "jwksUri") ?? "", /public host/);
    });

    it("unauthenticated error reports and token requests make no outbound connection and reflect nothing", async () => {
      const clientId = "legacy-internal-jwks";
      await insertLegacyClient(s, clientId, `https://127.0.0.1:${port}/jwks`);
      const before = target.count();
      const answers = await Promise.all([
        ...(await unauthenticated(s, clientId)).map((body) => report(s, body)),
        // Well-formed assertions too: the stored jwks_uri is internal, so it is refused at fetch time.
        ...Array.from({ length: 5 }, async () => report(s, await forgedAssertion(s, clientId))),
        ...Array.from({ length: 3 }, async () => tokenRequest(s, clientId, await forgedAssertion(s, clientId, s.url))),
      ]);
      for (const a of answers) {
        assert.ok(a.status === 400 || a.status === 401, `${a.status} ${a.text}`);
        assert.doesNotMatch(a.text, /127\.0\.0\.1|ECONN|socket|fetch|internal address|jwks_uri|JSON Web Key Set failed/i, "fetch errors are not reflected");
      }
      assert.equal(target.count(), before, "no connection to the internal address");
    });
  });

  describe(`jwks_uri with ALLOW_PRIVATE_JWKS_URI (${db})`, () => {
    let s: TestServer;
    const target = countingServer();
    let port: number;

    before(async () => {
      port = await target.listen();
      s = await startServer(db, { ALLOW_PRIVATE_JWKS_URI: "true" });
    });
    after(async () => {
      await s.close();
      await target.close();
    });

    it("registers a loopback jwks_uri for development; malformed credentials still cause no fetch; a burst of forged assertions costs one", async () => {
      const { client } = await s.app.container.clients.create(privateKeyJwtInput("Local keys", `https://127.0.0.1:${port}/jwks`));
      const before = target.count();
      const bad = await Promise.all((await unauthenticated(s, client.clientId)).map((body) => report(s, body)));
      for (const a of bad) assert.ok(a.status === 400 || a.status === 401, `${a.status} ${a.text}`);
      assert.equal(target.count(), before, "nothing is fetched before the assertion passes every check that needs no key");

      const forged = await Promise.all(Array.from({ length: 5 }, async () => report(s, await forgedAssertion(s, client.clientId))));
      for (let i = 0; i < 5; i++) forged.push(await report(s, await forgedAssertion(s, client.clientId)));
      const tokens = await Promise.all(Array.from({ length: 3 }, async () => tokenRequest(s, client.clientId, await forgedAssertion(s, client.clientId, s.url))));
      for (const a of [...forged, ...tokens]) {
        assert.ok(a.status === 400 || a.status === 401, `${a.status} ${a.text}`);
        assert.doesNotMatch(a.text, /127\.0\.0\.1|ECONN|socket|TLS|EPROTO|fetch/i, "fetch errors are not reflected");
      }
      assert.equal(target.count(), before + 1, "13 requests, 1 connection: the failed fetch is cached");
    });
  });
}
