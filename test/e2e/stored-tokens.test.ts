// A copy of the database must yield no usable token: after a real code flow, neither the access
// token, the refresh token, the code, the session cookie nor the interaction id appears anywhere in
// oidc_payloads (ids or payloads), and all of them still work through the server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { authRequest, redeem, registerRp, walk, type Rp } from "../helpers/oidc.js";

pgNotice();

for (const db of databases()) {
  describe(`stored tokens (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
    });
    after(() => s.close());

    const table = async () => JSON.stringify(await s.app.container.ds.query(`SELECT * FROM ${s.app.container.ds.driver.escape("oidc_payloads")}`));

    it("keeps only hashes of tokens, codes, session and interaction ids, and they all still work", async () => {
      const browser = new Agent(s.url);
      const req = await authRequest(rp.config, { scope: "openid email offline_access", prompt: "consent" });
      const first = await browser.follow(req.url.toString());
      const interactionId = new URL(first.url).pathname.split("/")[2]!;
      assert.match(interactionId, /^[\w-]{16,}$/, `an interaction page, got ${first.url}`);
      const w = await walk(browser, first.url, { holder });
      const code = w.callback.searchParams.get("code")!;
      const sessionId = browser.cookie("_session")!;
      assert.ok(code && sessionId, "a code and an oidc-provider session cookie");
      // The code is still stored (consumed) once redeemed; look before and after.
      const beforeRedeem = await table();
      const tokens = await redeem(rp.config, w.callback, req);
      const afterRedeem = await table();
      const secrets = { code, sessionId, interactionId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token! };
      assert.ok(secrets.refreshToken, "offline access gives a refresh token");
      for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!beforeRedeem.includes(value) && !afterRedeem.includes(value), `${name} is nowhere in oidc_payloads`);
      }

      // Everything still works: the access token at userinfo and introspection, the refresh token,
      // the session (a second authorization needs no sign-in).
      assert.equal((await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub)).email, holder.email);
      assert.equal((await client.tokenIntrospection(rp.config, tokens.access_token)).active, true);
      const refreshed = await client.refreshTokenGrant(rp.config, secrets.refreshToken);
      assert.ok(refreshed.access_token && refreshed.refresh_token);
      const dump = await table();
      assert.ok(!dump.includes(refreshed.access_token) && !dump.includes(refreshed.refresh_token!), "rotated tokens are hashed too");
      const again = await authRequest(rp.config, { scope: "openid email" });
      const second = await walk(browser, again.url);
      assert.equal(second.sawLogin, false, "the session is found by its cookie");
      assert.ok(second.callback.searchParams.get("code"));
    });
  });
}
