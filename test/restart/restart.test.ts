// Keys, clients, accounts and sessions survive a restart of the server process: a token issued
// before the restart still verifies after it, the holder stays signed in, and the remembered
// consent still applies.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { loadConfig } from "../../src/config.js";
import { createContainer } from "../../src/container.js";
import { Agent } from "../helpers/agent.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { authRequest, redeem, REFRESHING_CLIENT, rpConfig, walk } from "../helpers/oidc.js";
import { dropProcessData, freePort, startProcess, type ServerProcess } from "../helpers/process.js";
import { databases, testEnv, type TestServer } from "../helpers/server.js";

for (const db of databases()) {
  describe(`restart (${db})`, () => {
    let env: Record<string, string>;
    let port: number;
    let proc: ServerProcess;
    let clientId: string;
    let secret: string;
    let holder: TestHolder;

    before(async () => {
      port = await freePort();
      env = testEnv(db, { LOG_LEVEL: "warn" });
      proc = await startProcess(env, port);
      // Register the client and the holder the way the CLI would: straight through the services.
      const c = await createContainer(loadConfig({ ...env, ISSUER: proc.url }));
      try {
        const created = await c.clients.create({ name: "Restart RP", ...REFRESHING_CLIENT });
        clientId = created.client.clientId;
        secret = created.secret!;
        holder = await createHolder(c);
      } finally {
        await c.close();
      }
    });

    after(async () => {
      await proc.stop();
      await dropProcessData(env);
    });

    it("keeps keys, clients, accounts and sessions", async () => {
      const s = { url: proc.url } as TestServer;
      const config = await rpConfig(s, clientId, { client_secret: secret });
      const agent = new Agent(proc.url);
      const req = await authRequest(config, { scope: "openid email offline_access", prompt: "consent" });
      const w = await walk(agent, req.url, { holder });
      const tokens = await redeem(config, w.callback, req);
      const jwksBefore = await (await fetch(`${proc.url}/jwks`)).json();

      assert.equal(await proc.stop(), 0, "a clean shutdown on SIGTERM");
      proc = await startProcess(env, port);

      const jwksAfter = await (await fetch(`${proc.url}/jwks`)).json();
      assert.deepEqual(jwksAfter, jwksBefore, "the same signing keys");
      const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${proc.url}/jwks`)), { issuer: proc.url, audience: clientId });
      assert.equal(payload.sub, tokens.claims()!.sub, "an ID token from before the restart verifies");

      const config2 = await rpConfig(s, clientId, { client_secret: secret });
      const info = await client.fetchUserInfo(config2, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.email, holder.email, "the access token still works");
      const introspected = await client.tokenIntrospection(config2, tokens.access_token);
      assert.equal(introspected.active, true);
      const refreshed = await client.refreshTokenGrant(config2, tokens.refresh_token!);
      assert.ok(refreshed.access_token, "the refresh token still works");

      const account = await agent.request("GET", "/api/account");
      assert.equal(account.status, 200, "the Passport session survives");
      assert.equal(account.json().account.email, holder.email);

      const again = await authRequest(config2, { scope: "openid email offline_access" });
      const w2 = await walk(agent, again.url);
      assert.equal(w2.sawLogin, false, "no sign-in needed");
      assert.equal(w2.sawConsent, false, "the consent is remembered");
      const tokens2 = await redeem(config2, w2.callback, again);
      assert.equal(tokens2.claims()!.sub, tokens.claims()!.sub);
    });
  });
}
