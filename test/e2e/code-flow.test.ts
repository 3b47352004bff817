// Scenarios 2, 4 and 13: the authorization code flow as a relying party sees it, with each token
// endpoint authentication method, and the subject each kind of client receives.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { authRequest, codeFlow, redeem, registerRp, rejectsWith, rpConfig, rpKeyPair, walk } from "../helpers/oidc.js";

pgNotice();

for (const db of databases()) {
  describe(`code flow (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
    });
    after(() => s.close());

    it("client_secret_basic with PKCE, nonce and state: a verifiable ID token and plain JSON userinfo", async () => {
      const rp = await registerRp(s);
      const { req, walk: w, tokens, claims } = await codeFlow(rp, new Agent(s.url), holder);
      assert.ok(w.sawLogin && w.sawConsent, "a fresh browser signs in and consents");
      assert.equal(w.callback.searchParams.get("state"), req.state);
      assert.equal(w.callback.searchParams.get("iss"), s.url);
      assert.equal(tokens.token_type.toLowerCase(), "bearer");

      // The ID token's signature checks out against the published JWKS, not just its claims.
      const jwks = createRemoteJWKSet(new URL(`${s.url}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: s.url, audience: rp.clientId });
      assert.equal(protectedHeader.alg, "RS256");
      assert.equal(payload.nonce, req.nonce);
      assert.equal(claims.iss, s.url);
      assert.equal(claims.aud, rp.clientId);
      assert.equal(claims.nonce, req.nonce);
      assert.equal(typeof claims.sub, "string");
      assert.ok(claims.exp > claims.iat);

      const raw = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(raw.status, 200);
      assert.match(raw.headers.get("content-type") ?? "", /^application\/json/);
      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      assert.equal(userinfo.sub, claims.sub);
      assert.equal(userinfo.email, holder.email);
    });

    it("client_secret_post: the secret in the body works, a wrong secret is refused", async () => {
      const rp = await registerRp(s, { tokenEndpointAuthMethod: "client_secret_post" }, { auth: (secret) => client.ClientSecretPost(secret!) });
      const wrong = await rpConfig(s, rp.clientId, {}, client.ClientSecretPost(`${rp.secret}x`));
      const req = await authRequest(rp.config);
      const { callback } = await walk(new Agent(s.url), req.url, { holder });
      await rejectsWith(redeem(wrong, callback, req), "invalid_client");
      const tokens = await redeem(rp.config, callback, req);
      assert.equal(tokens.claims()!.aud, rp.clientId);
    });

    it("private_key_jwt: an assertion signed by the registered key works, one by another key is refused", async () => {
      const registered = await rpKeyPair("ES256", "rp-sig-1");
      const impostor = await rpKeyPair("ES256", "rp-sig-1");
      const rp = await registerRp(
        s,
        { tokenEndpointAuthMethod: "private_key_jwt", jwks: { keys: [registered.publicJwk] } },
        { auth: () => client.PrivateKeyJwt({ key: registered.privateKey, kid: "rp-sig-1" }) },
      );
      assert.equal(rp.secret, null, "a private_key_jwt client gets no secret");
      const forged = await rpConfig(s, rp.clientId, {}, client.PrivateKeyJwt({ key: impostor.privateKey, kid: "rp-sig-1" }));
      const req = await authRequest(rp.config);
      const { callback } = await walk(new Agent(s.url), req.url, { holder });
      await rejectsWith(redeem(forged, callback, req), "invalid_client");
      const tokens = await redeem(rp.config, callback, req);
      assert.equal(tokens.claims()!.aud, rp.clientId);
    });

    it("a public client (none) redeems with its PKCE verifier alone, and a wrong verifier is refused", async () => {
      const rp = await registerRp(s, { type: "public", tokenEndpointAuthMethod: "none" }, { auth: () => client.None() });
      assert.equal(rp.secret, null);
      const agent = new Agent(s.url);
      const first = await authRequest(rp.config);
      const w1 = await walk(agent, first.url, { holder });
      await rejectsWith(redeem(rp.config, w1.callback, { ...first, verifier: client.randomPKCECodeVerifier() }), "invalid_grant");
      const { tokens, claims } = await codeFlow(rp, agent, holder);
      assert.equal(claims.aud, rp.clientId);
      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      assert.equal(userinfo.email, holder.email);
    });

    it("pairwise subjects differ between clients and stay stable at one; a public-subject client gets the account id", async () => {
      const a = await registerRp(s, { name: "Pairwise A" });
      const b = await registerRp(s, { name: "Pairwise B", subjectType: "pairwise" });
      const pub = await registerRp(s, { name: "Public subject", subjectType: "public" });
      const browser = new Agent(s.url);
      const atA = await codeFlow(a, browser, holder);
      const atB = await codeFlow(b, browser, holder);
      const atPub = await codeFlow(pub, browser, holder);
      const againAtA = await codeFlow(a, new Agent(s.url), holder);
      assert.ok(againAtA.walk.sawLogin, "the second sign-in at A is a new one");

      assert.notEqual(atA.claims.sub, atB.claims.sub);
      assert.equal(againAtA.claims.sub, atA.claims.sub);
      for (const sub of [atA.claims.sub, atB.claims.sub]) assert.notEqual(sub, holder.id);
      assert.equal(atPub.claims.sub, holder.id);
      // Userinfo agrees with the ID token (openid-client checks the subject too).
      const infoB = await client.fetchUserInfo(b.config, atB.tokens.access_token, atB.claims.sub);
      assert.equal(infoB.sub, atB.claims.sub);
    });
  });
}
