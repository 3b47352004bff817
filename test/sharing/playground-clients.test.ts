// The playground's short-lived public clients (src/services/playground.ts), over HTTP and in the
// database: registration takes a browser's public key only, is CSRF-protected and limited per
// address even under a burst of parallel requests; expired clients go with their grants, tokens and
// shares; the old server-side playground client and its key are removed from existing installs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair } from "jose";
import { ClientEntity, OidcPayloadEntity, PlaygroundClientEntity, ServerKeyEntity, ShareEntity } from "../../src/db/entities.js";
import { PlaygroundClients1764570000000 } from "../../migrations/1764570000000-playground-clients.js";
import { DEFAULT_PLAYGROUND_LIMITS } from "../../src/services/playground.js";
import { Agent } from "../helpers/agent.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";

pgNotice();

async function browserJwk(): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  return { ...(await exportJWK(publicKey)), ext: true, key_ops: [] };
}

for (const db of databases()) {
  describe(`playground clients (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db);
    });
    after(() => s.close());

    async function visitor(): Promise<Agent> {
      const agent = new Agent(s.url);
      assert.equal((await agent.request("GET", "/playground")).status, 200);
      return agent;
    }

    it("registers a public client with PKCE for the browser's public key, and nothing else", async () => {
      const agent = await visitor();
      const jwk = await browserJwk();
      const res = await agent.request("POST", "/playground/clients", { json: { jwk } });
      assert.equal(res.status, 201, res.text);
      const body = res.json<{ client_id: string; expires_at: number; redirect_uri: string }>();
      assert.equal(body.redirect_uri, `${s.cfg.issuer}/playground/callback`);
      assert.ok(body.expires_at > Date.now() && body.expires_at <= Date.now() + DEFAULT_PLAYGROUND_LIMITS.lifetimeMs);
      const meta = await s.app.container.clients.findEnabledMetadata(body.client_id);
      assert.equal(meta?.token_endpoint_auth_method, "none");
      assert.equal(meta?.client_secret, undefined);
      assert.deepEqual(meta?.redirect_uris, [body.redirect_uri]);
      assert.deepEqual((meta?.jwks as { keys: Record<string, unknown>[] }).keys.map((k) => [k.x, k.y, "d" in k, k.use]), [[jwk.x, jwk.y, false, "enc"]]);

      // Discovery says PKCE is required; a request without it is refused for this client too.
      const auth = new URL("/auth", s.url);
      for (const [k, v] of Object.entries({ client_id: body.client_id, response_type: "code", redirect_uri: body.redirect_uri, scope: "openid", nonce: "n", state: "s" })) auth.searchParams.set(k, v);
      const refused = await agent.request("GET", auth.toString());
      assert.equal(refused.status, 303);
      assert.match(refused.location ?? "", /error=invalid_request.*requires\+PKCE/);
    });

    it("refuses a private key, a point off the curve, another curve and a request without the CSRF token", async () => {
      const agent = await visitor();
      const { privateKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
      const priv = await exportJWK(privateKey);
      const good = await browserJwk();
      const offCurve = { ...good, y: Buffer.alloc(32, 7).toString("base64url") };
      const p384 = await exportJWK((await generateKeyPair("ECDH-ES+A256KW", { crv: "P-384", extractable: true })).publicKey);
      for (const jwk of [priv, offCurve, p384, { kty: "RSA", n: "x", e: "AQAB" }, "not a key"]) {
        const res = await agent.request("POST", "/playground/clients", { json: { jwk } });
        assert.equal(res.status, 400, `${JSON.stringify(jwk).slice(0, 80)}: ${res.text}`);
      }
      const noCsrf = await agent.request("POST", "/playground/clients", { json: { jwk: good }, headers: { "x-csrf-token": "" } });
      assert.equal(noCsrf.status, 403);
      assert.equal(await s.app.container.ds.getRepository(PlaygroundClientEntity).count({ where: {} }), 1, "only the first test's client exists");
    });

    it(`allows ${DEFAULT_PLAYGROUND_LIMITS.perAddress} registrations per address an hour, however many arrive in parallel`, async () => {
      const agent = await visitor();
      const repo = s.app.container.ds.getRepository(PlaygroundClientEntity);
      const already = await repo.count(); // the first test's, from the same address (127.0.0.1)
      const jwks = await Promise.all(Array.from({ length: 24 }, browserJwk));
      const statuses = await Promise.all(jwks.map((jwk) => agent.request("POST", "/playground/clients", { json: { jwk } }).then((r) => r.status)));
      const created = statuses.filter((x) => x === 201).length;
      assert.equal(created, DEFAULT_PLAYGROUND_LIMITS.perAddress - already, statuses.join(","));
      assert.equal(statuses.filter((x) => x === 429).length, 24 - created, statuses.join(","));
      assert.equal(await repo.count(), DEFAULT_PLAYGROUND_LIMITS.perAddress, "refused reservations were given back");
      const clients = (await s.app.container.ds.getRepository(ClientEntity).find()).filter((c) => c.clientId.startsWith("playground-"));
      assert.equal(clients.length, DEFAULT_PLAYGROUND_LIMITS.perAddress, "no client was registered past the limit");
    });

    it("purges an expired playground client with its grants, tokens and stored payloads, and leaves live ones", async () => {
      const c = s.app.container;
      const ds = c.ds;
      const expired = await c.playground.register({ jwk: await browserJwk() }, "198.51.100.7", Date.now() - 2 * DEFAULT_PLAYGROUND_LIMITS.lifetimeMs);
      const live = await c.playground.register({ jwk: await browserJwk() }, "198.51.100.7");
      for (const [clientId, grantId] of [[expired.clientId, "grant-expired"], [live.clientId, "grant-live"]] as const) {
        const rows = [
          { kind: "Grant", id: grantId, payload: JSON.stringify({ clientId, accountId: "acc" }), grantId: null },
          { kind: "AccessToken", id: `at-${grantId}`, payload: JSON.stringify({ clientId, grantId }), grantId },
        ];
        for (const r of rows) await ds.getRepository(OidcPayloadEntity).insert({ ...r, userCode: null, uid: null, accountId: "acc", clientId, expiresAt: Date.now() + 86_400_000, consumedAt: null });
        await ds.getRepository(ShareEntity).insert({ grantId, accountId: "acc", clientId, jwe: "a.b.c.d.e", types: "[]", fileIds: "[]", createdAt: Date.now() });
      }
      assert.ok((await c.playground.purgeExpired()) >= 1);
      assert.equal(await c.clients.findEnabledMetadata(expired.clientId), undefined);
      assert.equal(await ds.getRepository(ShareEntity).countBy({ clientId: expired.clientId }), 0);
      assert.equal(await ds.getRepository(OidcPayloadEntity).countBy({ id: "grant-expired" }), 0);
      assert.equal(await ds.getRepository(OidcPayloadEntity).countBy({ id: "at-grant-expired" }), 0);
      assert.equal(await ds.getRepository(PlaygroundClientEntity).countBy({ clientId: expired.clientId }), 0);
      // The live client keeps everything.
      assert.ok(await c.clients.findEnabledMetadata(live.clientId));
      assert.equal(await ds.getRepository(ShareEntity).countBy({ clientId: live.clientId }), 1);
      assert.equal(await ds.getRepository(OidcPayloadEntity).countBy({ id: "at-grant-live" }), 1);
    });

    it("the migration removes the old server-side playground client, its key and what was shared with it", async () => {
      const ds = s.app.container.ds;
      const legacy = "passport-playground";
      await ds.getRepository(ClientEntity).insert({ clientId: legacy, name: "Passport playground", metadata: "{}", enabled: true, createdAt: 1, updatedAt: 1 });
      await ds.getRepository(ServerKeyEntity).insert({ kid: "playground-enc-key", use: "secret", alg: "random", status: "active", publicJwk: null, privateData: "plain:{}", createdAt: 1, retiredAt: null });
      await ds.getRepository(ShareEntity).insert({ grantId: "legacy-grant", accountId: "acc", clientId: legacy, jwe: "a.b.c.d.e", types: "[]", fileIds: "[]", createdAt: 1 });
      await ds.getRepository(OidcPayloadEntity).insert({ kind: "Grant", id: "legacy-grant", payload: JSON.stringify({ clientId: legacy }), grantId: null, userCode: null, uid: null, accountId: "acc", clientId: legacy, expiresAt: null, consumedAt: null });
      const runner = ds.createQueryRunner();
      try {
        await runner.dropTable("playground_clients");
        await new PlaygroundClients1764570000000().up(runner);
      } finally {
        await runner.release();
      }
      assert.equal(await ds.getRepository(ClientEntity).countBy({ clientId: legacy }), 0);
      assert.equal(await ds.getRepository(ServerKeyEntity).countBy({ kid: "playground-enc-key" }), 0);
      assert.equal(await ds.getRepository(ShareEntity).countBy({ clientId: legacy }), 0);
      assert.equal(await ds.getRepository(OidcPayloadEntity).countBy({ id: "legacy-grant" }), 0);
      assert.ok((await ds.getRepository(ServerKeyEntity).count()) > 0, "the other server keys stay");
    });
  });
}
