// Access tokens of offline grants are signed, not stored (src/oidc/signed-grant-tokens.ts,
// docs/decisions.md "Eighteenth round"). A refresh writes nothing for the access token (nor for
// its refresh token: signed-refresh-tokens.test.ts); every use reads the token's grant, so everything that ends the
// grant ends the token at once. The value carries neither the holder's internal account id nor
// the browser session; a session-bound access token stays stored.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, rejectsWith, type Rp } from "../helpers/oidc.js";
import { OidcStore } from "../../src/db/oidc-store.js";
import { AccessTokenSigner } from "../../src/oidc/signed-grant-tokens.js";
import { ClientTokenSigner } from "../../src/oidc/signed-client-tokens.js";

pgNotice();

const OFFLINE = { scope: "openid email offline_access", prompt: "consent" };
type Payload = { jti: string; clientId: string; exp: number; iat: number; grantId: string } & Record<string, unknown>;

for (const db of databases()) {
  describe(`signed access tokens (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token", "client_credentials"], scopes: ["openid", "email", "offline_access"] });
    });
    after(() => s.close());

    const table = () => s.app.container.ds.driver.escape("oidc_payloads");
    const count = async (where: string) => {
      const [row] = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM ${table()} WHERE ${where}`);
      return Number((row as { n: number | string }).n);
    };
    /** `pat1.<payload>~<HMAC>`: the parts. */
    const parts = (token: string) => token.slice("pat1.".length).split("~") as [string, string];
    const body = (token: string) => JSON.parse(Buffer.from(parts(token)[0], "base64url").toString("utf8")) as { p: Payload; t: number };
    const active = async (token: string) => (await client.tokenIntrospection(rp.config, token)).active;
    const userinfoStatus = async (token: string) => {
      const res = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };
    const fileStatus = async (token: string) => {
      const res = await fetch(`${s.url}/passport/files/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };
    const secret = () => s.app.container.keys.secret("client-token-secret");
    const offline = () => codeFlow(rp, new Agent(s.url), holder, OFFLINE);

    it("an offline grant's access token is signed, stored nowhere, and carries neither the account id nor the session", async () => {
      const before = await count("kind = 'AccessToken'");
      const { tokens } = await offline();
      const token = tokens.access_token;
      // One dot only: a value of three dot-separated parts would be taken for a JWT (and decoded) at every introspection.
      assert.match(token, /^pat1\.[A-Za-z0-9_-]+~[A-Za-z0-9_-]{43}$/);
      assert.equal(await count("kind = 'AccessToken'"), before, "no access token row");
      const { p } = body(token);
      assert.equal(p.clientId, rp.clientId);
      assert.equal(typeof p.grantId, "string");
      assert.equal(p.accountId, undefined);
      assert.equal(p.sessionUid, undefined);
      assert.doesNotMatch(Buffer.from(parts(token)[0], "base64url").toString("utf8"), new RegExp(holder.id), "the internal account id appears nowhere");
      // It works like a stored one: userinfo, introspection (with the pairwise-or-public subject), a share's files.
      const sub = tokens.claims()!.sub;
      assert.equal((await client.fetchUserInfo(rp.config, token, sub)).email, holder.email);
      const introspected = await client.tokenIntrospection(rp.config, token);
      assert.deepEqual([introspected.active, introspected.sub, introspected.client_id, introspected.token_type], [true, sub, rp.clientId, "Bearer"]);
      assert.equal(await fileStatus(token), 404, "a valid token asking for a file it was not given");
    });

    it("a refresh writes nothing for its access token, and its access token works", async () => {
      const { tokens } = await offline();
      const grantId = body(tokens.access_token).p.grantId;
      const rows = () => count(`grant_id = '${grantId}'`);
      const before = await rows();
      const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.equal(await rows(), before, "no row of the grant: both new tokens are signed (signed-refresh-tokens.test.ts)");
      assert.ok(refreshed.access_token.startsWith("pat1."));
      assert.equal(body(refreshed.access_token).p.grantId, grantId);
      assert.equal(await active(refreshed.access_token), true);
      assert.equal(await active(tokens.access_token), true, "the earlier access token lives on with its grant, as a stored one does");
    });

    it("an altered, foreign, expired or other-kind value is refused by userinfo, introspection and the files endpoint", async () => {
      const { tokens } = await offline();
      const token = tokens.access_token;
      const [payload, mac] = parts(token);
      const { p, t } = body(token);
      const widened = Buffer.from(JSON.stringify({ p: { ...p, scope: "openid email offline_access address" }, t })).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const ours = new AccessTokenSigner(await secret());
      const refused = [
        `pat1.${widened}~${mac}`, // the payload changed under the same MAC
        `pat1.${payload}.${mac}`, // another separator
        `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`, // the MAC changed
        `${token}=`, // another spelling of the same MAC
        new AccessTokenSigner(crypto.randomBytes(32).toString("base64url")).sign({ payload: p, issuedAt: t })!, // another server's secret
        ours.sign({ payload: { ...p, iat: now - 120, exp: now - 60 }, issuedAt: Date.now() })!, // expired
        `pat1.${new ClientTokenSigner(await secret()).sign({ payload: p, issuedAt: t })!.slice("pcc1.".length)}`, // signed as the other kind
        ours.sign({ payload: { ...p, grantId: "no-such-grant" }, issuedAt: t })!, // a grant that does not exist
        `pat1.${payload}`, "pat1.", "pat1.~", "pat1.e30~", `pat1.${"A".repeat(5000)}~x`,
      ];
      for (const value of refused) {
        assert.equal(await userinfoStatus(value), 401, value.slice(0, 40));
        assert.equal(await active(value), false, value.slice(0, 40));
        assert.equal(await fileStatus(value), 401, value.slice(0, 40));
      }
      assert.equal(await userinfoStatus(token), 200, "the real token still works");
      // Forged by whoever holds the secret, for a grant that exists: it works, which is why the secret is sealed like the signing keys.
      assert.equal(await active(ours.sign({ payload: { ...p, jti: "x".repeat(43) }, issuedAt: Date.now() })!), true);
      // Another client's grant named in a token for this client: refused.
      const other = await registerRp(s, { name: "Other RP", grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
      const foreignGrant = body((await codeFlow(other, new Agent(s.url), holder, OFFLINE)).tokens.access_token).p.grantId;
      assert.equal(await active(ours.sign({ payload: { ...p, grantId: foreignGrant }, issuedAt: Date.now() })!), false);
    });

    it("revoking it at the revocation endpoint ends it, its refresh token and its grant at once", async () => {
      const { tokens } = await offline();
      const grantId = body(tokens.access_token).p.grantId;
      await client.tokenRevocation(rp.config, tokens.access_token);
      assert.equal(await userinfoStatus(tokens.access_token), 401);
      assert.equal(await active(tokens.access_token), false);
      await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
      assert.equal(await count(`(kind = 'Grant' AND id = '${grantId}') OR grant_id = '${grantId}'`), 0, "the grant is gone with its tokens");
    });

    it("the holder's revocation on the connected-apps page ends it at once, from another store too", async () => {
      const { tokens } = await offline();
      assert.equal(await userinfoStatus(tokens.access_token), 200);
      await s.app.container.sharing.revoke(holder.id, rp.clientId);
      assert.equal(await userinfoStatus(tokens.access_token), 401);
      assert.equal(await active(tokens.access_token), false);
      assert.equal(await new OidcStore(s.app.container.ds).findGrant(body(tokens.access_token).p.grantId), undefined);
    });

    it("parallel uses of one grant's tokens share the grant's read, and each gets its own answer", async () => {
      const a = (await offline()).tokens;
      const b = (await offline()).tokens;
      const answers = await Promise.all([a, b, a, b].map((t) => client.tokenIntrospection(rp.config, t.access_token)));
      assert.deepEqual(answers.map((x) => x.active), [true, true, true, true]);
      assert.equal(answers[0]!.sub, answers[1]!.sub, "one holder");
    });

    it("a session-bound access token (no offline access) is stored as before", async () => {
      const before = await count("kind = 'AccessToken'");
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, { scope: "openid email" });
      assert.doesNotMatch(tokens.access_token, /^pat1\./);
      assert.equal(await count("kind = 'AccessToken'"), before + 1);
      assert.equal((await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub)).email, holder.email);
    });
  });
}
