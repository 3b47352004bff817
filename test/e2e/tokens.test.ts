// Scenarios 6, 7 and 11: the life of tokens after the code is redeemed. Refresh tokens rotate and a
// used one is dead; revocation and introspection speak only to the client that owns the token; a
// replayed code kills everything the first redemption produced.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { authRequest, codeFlow, redeem, registerRp, rejectsWith, rpConfig, walk, type Rp } from "../helpers/oidc.js";

pgNotice();

// oidc-provider prints a notice the first time it falls back to one of its default policies.
// Every policy this file reaches (introspection, revocation) must be Passport's own.
const notices: string[] = [];
const info = console.info;
console.info = (...args: unknown[]) => {
  if (String(args[0]).includes("oidc-provider NOTICE")) notices.push(String(args[0]));
  info(...args);
};

/** offline_access needs prompt=consent in the code flow (OpenID Connect Core 11). */
const OFFLINE = { scope: "openid email offline_access", prompt: "consent" };

const isActive = async (rp: Rp, token: string) => (await client.tokenIntrospection(rp.config, token)).active;

for (const db of databases()) {
  describe(`tokens (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;
    let browser: Agent;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
      browser = new Agent(s.url);
    });
    after(() => s.close());

    it("rotates the refresh token on every use and refuses a used one", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      const rt1 = tokens.refresh_token!;
      assert.ok(rt1, "offline_access with consent gives a refresh token");
      const second = await client.refreshTokenGrant(rp.config, rt1);
      const rt2 = second.refresh_token!;
      assert.ok(rt2 && rt2 !== rt1, "a new refresh token");
      assert.notEqual(second.access_token, tokens.access_token);
      const third = await client.refreshTokenGrant(rp.config, rt2);
      const rt3 = third.refresh_token!;
      assert.ok(rt3 && rt3 !== rt2 && rt3 !== rt1, "a new refresh token again");
      assert.equal((await client.fetchUserInfo(rp.config, third.access_token, tokens.claims()!.sub)).email, holder.email);

      await rejectsWith(client.refreshTokenGrant(rp.config, rt1), "invalid_grant");
      await rejectsWith(client.refreshTokenGrant(rp.config, rt2), "invalid_grant");
      // Reuse of a rotated token means it leaked: the whole grant ends, the newest token too.
      await rejectsWith(client.refreshTokenGrant(rp.config, rt3), "invalid_grant");
      assert.equal(await isActive(rp, third.access_token), false);
    });

    it("gives no refresh token to a client without the refresh_token grant", async () => {
      const codeOnly = await registerRp(s, { grantTypes: ["authorization_code"], scopes: ["openid", "email", "offline_access"] });
      const { tokens } = await codeFlow(codeOnly, browser, holder, OFFLINE);
      assert.equal(tokens.refresh_token, undefined);
    });

    it("introspects only for the owning, authenticated client", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      const seen = await client.tokenIntrospection(rp.config, tokens.access_token);
      assert.equal(seen.active, true);
      assert.equal(seen.client_id, rp.clientId);
      assert.equal(seen.sub, tokens.claims()!.sub);
      assert.equal((await client.tokenIntrospection(rp.config, tokens.refresh_token!)).active, true);

      // Another registered client authenticates fine but learns nothing about this token.
      const other = await registerRp(s, { name: "Other RP" });
      assert.equal(await isActive(other, tokens.access_token), false);
      assert.equal(await isActive(other, tokens.refresh_token!), false);

      const wrongSecret = await rpConfig(s, rp.clientId, { client_secret: `${rp.secret}x` });
      await rejectsWith(client.tokenIntrospection(wrongSecret, tokens.access_token), "invalid_client");
      // Naming the client without its secret, or naming no client at all, gets no answer about the token.
      for (const [body, status, error] of [
        [{ token: tokens.access_token, client_id: rp.clientId }, 401, "invalid_client"],
        [{ token: tokens.access_token }, 400, "invalid_request"],
      ] as const) {
        const res = await fetch(`${s.url}/token/introspection`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(body),
        });
        assert.equal(res.status, status);
        const answer = (await res.json()) as Record<string, unknown>;
        assert.equal(answer.error, error);
        assert.ok(!("active" in answer));
      }
    });

    it("revokes an access token, and with it the other tokens of its grant", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      assert.equal(await isActive(rp, tokens.access_token), true);
      await client.tokenRevocation(rp.config, tokens.access_token);
      assert.equal(await isActive(rp, tokens.access_token), false);
      await assert.rejects(client.fetchUserInfo(rp.config, tokens.access_token, client.skipSubjectCheck), client.WWWAuthenticateChallengeError);
      // oidc-provider revokes every token of the grant; the holder's consent stays.
      assert.equal(await isActive(rp, tokens.refresh_token!), false);
      await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
    });

    it("revokes a refresh token together with the access tokens of its grant", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.equal(await isActive(rp, refreshed.refresh_token!), true);
      assert.equal(await isActive(rp, refreshed.access_token), true);
      await client.tokenRevocation(rp.config, refreshed.refresh_token!);
      assert.equal(await isActive(rp, refreshed.refresh_token!), false);
      assert.equal(await isActive(rp, refreshed.access_token), false);
      await rejectsWith(client.refreshTokenGrant(rp.config, refreshed.refresh_token!), "invalid_grant");
    });

    it("does not let another client revoke a token", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      const other = await registerRp(s, { name: "Revoking stranger" });
      await rejectsWith(client.tokenRevocation(other.config, tokens.access_token), "invalid_request");
      await rejectsWith(client.tokenRevocation(other.config, tokens.refresh_token!), "invalid_request");
      // A public client cannot prove who it is: it is answered as if it had revoked (RFC 7009 gives
      // no error for it) and nothing is revoked.
      const stranger = await registerRp(s, { name: "Public stranger", type: "public", tokenEndpointAuthMethod: "none" }, { auth: () => client.None() });
      await client.tokenRevocation(stranger.config, tokens.access_token);
      await client.tokenRevocation(stranger.config, tokens.refresh_token!);
      assert.equal(await isActive(rp, tokens.access_token), true);
      assert.equal(await isActive(rp, tokens.refresh_token!), true);
      assert.deepEqual(notices, [], "no default policy of oidc-provider was used");
    });

    it("refuses a replayed authorization code and revokes the tokens of the first redemption", async () => {
      const req = await authRequest(rp.config, OFFLINE);
      const { callback } = await walk(browser, req.url, { holder });
      const first = await redeem(rp.config, callback, req);
      assert.equal(await isActive(rp, first.access_token), true);
      await rejectsWith(redeem(rp.config, callback, req), "invalid_grant");
      assert.equal(await isActive(rp, first.access_token), false);
      assert.equal(await isActive(rp, first.refresh_token!), false);
      await rejectsWith(client.refreshTokenGrant(rp.config, first.refresh_token!), "invalid_grant");
    });

    // Sent together, every request reads the code (or refresh token) before any has spent it: only
    // spending it in the database, once, decides which one wins. The others are replays: invalid_grant,
    // and, as for a replay sent later, the winner's tokens end with the grant.
    it("redeems a code sent several times at once only once, and ends the grant", async () => {
      const req = await authRequest(rp.config, OFFLINE);
      const { callback } = await walk(browser, req.url, { holder });
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => redeem(rp.config, callback, req)));
      const won = results.filter((r) => r.status === "fulfilled");
      assert.ok(won.length <= 1, `${won.length} of 6 parallel redemptions got tokens`);
      for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { error?: string }).error, "invalid_grant");
      for (const r of won) assert.equal(await isActive(rp, r.value.access_token), false, "the replays ended the grant");
    });

    it("rotates a refresh token sent several times at once only once, and ends the grant", async () => {
      const { tokens } = await codeFlow(rp, browser, holder, OFFLINE);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.refreshTokenGrant(rp.config, tokens.refresh_token!)));
      const won = results.filter((r) => r.status === "fulfilled");
      assert.ok(won.length <= 1, `${won.length} of 6 parallel refreshes got tokens`);
      for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { error?: string }).error, "invalid_grant");
      for (const r of won) {
        assert.equal(await isActive(rp, r.value.access_token), false, "the replays ended the grant");
        await rejectsWith(client.refreshTokenGrant(rp.config, r.value.refresh_token!), "invalid_grant");
      }
    });
  });
}
