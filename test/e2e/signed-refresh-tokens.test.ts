// Refresh tokens of offline grants are signed, not stored (src/oidc/signed-grant-tokens.ts,
// docs/decisions.md "Nineteenth round"). Issuing one writes nothing; spending one (a rotating
// refresh) writes a narrow marker under its jti, read with its grant at every use, so a spent one
// is refused and its replay ends the grant. The value carries neither the holder's internal
// account id nor the browser session. Refresh tokens stored by an earlier version keep working.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import * as client from "openid-client";
import type Provider from "oidc-provider";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, rejectsWith, type Rp } from "../helpers/oidc.js";
import { signedBody, signedParts } from "../helpers/signed-tokens.js";
import { OidcStore, SPENT_SIGNED_KIND, storedId } from "../../src/db/oidc-store.js";
import { AccessTokenSigner, RefreshTokenSigner, signGrantTokens } from "../../src/oidc/signed-grant-tokens.js";

pgNotice();

const OFFLINE = { scope: "openid email offline_access", prompt: "consent" };

describe("signing a grant token", () => {
  it("falls back to storing a token whose value would be too long to open (a very large claims request)", async () => {
    const secret = crypto.randomBytes(32).toString("base64url");
    const payload = (claims: string) => ({ jti: "j", clientId: "c", exp: 2e9, iat: 1e9, grantId: "g", claims, accountId: "a", sessionUid: "s" });
    const model = (claims: string) =>
      class {
        async getValueAndPayload() {
          return { value: "j", payload: payload(claims) };
        }
      };
    const [AccessToken, RefreshToken] = [model("x"), model("x".repeat(5000))];
    signGrantTokens({ AccessToken, RefreshToken } as unknown as Provider, { accessTokens: new AccessTokenSigner(secret), refreshTokens: new RefreshTokenSigner(secret) });
    const small = await new AccessToken().getValueAndPayload();
    assert.match(small.value, /^pat1\./);
    assert.equal(small.payload, undefined, "signed: nothing to store");
    const large = await new RefreshToken().getValueAndPayload();
    assert.equal(large.value, "j", "the stored form: its id");
    assert.equal(large.payload?.accountId, "a", "and its whole payload to store");
  });
});

for (const db of databases()) {
  describe(`signed refresh tokens (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
    });
    after(() => s.close());

    const table = () => s.app.container.ds.driver.escape("oidc_payloads");
    const count = async (where: string) => {
      const [row] = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM ${table()} WHERE ${where}`);
      return Number((row as { n: number | string }).n);
    };
    const active = async (token: string) => (await client.tokenIntrospection(rp.config, token)).active;
    const secret = () => s.app.container.keys.secret("client-token-secret");
    const offline = (r = rp) => codeFlow(r, new Agent(s.url), holder, OFFLINE);
    const grantGone = async (grantId: string) => (await count(`(kind = 'Grant' AND id = '${grantId}') OR grant_id = '${grantId}'`)) === 0;

    it("an offline grant's refresh token is signed, stored nowhere, and carries neither the account id nor the session", async () => {
      const before = await count("kind = 'RefreshToken'");
      const { tokens, claims } = await offline();
      const token = tokens.refresh_token!;
      assert.match(token, /^prt1\.[A-Za-z0-9_-]+~[A-Za-z0-9_-]{43}$/);
      assert.equal(await count("kind = 'RefreshToken'"), before, "no refresh token row");
      const { p } = signedBody(token);
      assert.deepEqual([p.clientId, typeof p.grantId, p.accountId, p.sessionUid], [rp.clientId, "string", undefined, undefined]);
      assert.doesNotMatch(Buffer.from(signedParts(token).payload, "base64url").toString("utf8"), new RegExp(holder.id), "the internal account id appears nowhere");
      const introspected = await client.tokenIntrospection(rp.config, token);
      assert.deepEqual([introspected.active, introspected.sub, introspected.client_id, introspected.jti], [true, claims.sub, rp.clientId, undefined]);
    });

    it("a refresh writes one narrow marker and nothing else; the spent token is refused, and its replay ends the grant", async () => {
      const { tokens } = await offline();
      const { p } = signedBody(tokens.refresh_token!);
      const before = await count("1 = 1");
      const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.equal(await count("1 = 1"), before + 1, "one row in all");
      const [marker] = (await s.app.container.ds.query(`SELECT * FROM ${table()} WHERE kind = '${SPENT_SIGNED_KIND}' AND id = '${storedId(SPENT_SIGNED_KIND, p.jti)}'`)) as Record<string, unknown>[];
      assert.ok(marker, "the marker, under its jti's hash");
      assert.deepEqual([marker.payload, marker.grant_id, marker.account_id, marker.client_id, marker.uid], ["{}", null, null, null, null]);
      assert.equal(Number(marker.expires_at), p.exp * 1000, "kept until the token would have expired");
      assert.match(refreshed.refresh_token!, /^prt1\./);
      assert.equal(signedBody(refreshed.refresh_token!).p.grantId, p.grantId);
      assert.deepEqual(
        await Promise.all([tokens.refresh_token!, refreshed.refresh_token!, refreshed.access_token].map(active)),
        [false, true, true],
        "the spent one is inactive; introspecting it ends nothing",
      );
      await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
      assert.ok(await grantGone(p.grantId), "the replay ended the grant");
      await rejectsWith(client.refreshTokenGrant(rp.config, refreshed.refresh_token!), "invalid_grant");
      assert.equal(await active(refreshed.access_token), false);
    });

    it("an altered, foreign, expired, other-kind or other client's value is refused by the token endpoint and introspection", async () => {
      const { tokens } = await offline();
      const token = tokens.refresh_token!;
      const { payload, mac } = signedParts(token);
      const { p, t } = signedBody(token);
      const ours = new RefreshTokenSigner(await secret());
      const widened = Buffer.from(JSON.stringify({ p: { ...p, scope: `${p.scope as string} address` }, t })).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const rp2 = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
      const foreignGrant = signedBody((await offline(rp2)).tokens.refresh_token!).p.grantId;
      const refused = [
        `prt1.${widened}~${mac}`, // the payload changed under the same MAC
        `prt1.${payload}.${mac}`, // another separator
        `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`, // the MAC changed
        `${token}=`, // another spelling of the same MAC
        new RefreshTokenSigner(crypto.randomBytes(32).toString("base64url")).sign({ payload: p, issuedAt: t })!, // another server's secret
        ours.sign({ payload: { ...p, iat: now - 120, exp: now - 60 }, issuedAt: Date.now() })!, // expired
        `prt1.${new AccessTokenSigner(await secret()).sign({ payload: p, issuedAt: t })!.slice("pat1.".length)}`, // signed as an access token
        ours.sign({ payload: { ...p, grantId: "no-such-grant" }, issuedAt: t })!, // a grant that does not exist
        ours.sign({ payload: { ...p, grantId: foreignGrant }, issuedAt: t })!, // another client's grant
        `prt1.${payload}`, "prt1.", "prt1.~", "prt1.e30~", `prt1.${"A".repeat(5000)}~x`,
      ];
      for (const value of refused) {
        await rejectsWith(client.refreshTokenGrant(rp.config, value), "invalid_grant");
        assert.equal(await active(value), false, value.slice(0, 40));
      }
      assert.ok((await client.refreshTokenGrant(rp.config, token)).access_token, "the real token still works");
    });

    it("revoking it at the revocation endpoint ends it, its access token and its grant at once; so does the holder's disconnect", async () => {
      const first = (await offline()).tokens;
      await client.tokenRevocation(rp.config, first.refresh_token!);
      await rejectsWith(client.refreshTokenGrant(rp.config, first.refresh_token!), "invalid_grant");
      assert.equal(await active(first.access_token), false);
      assert.ok(await grantGone(signedBody(first.refresh_token!).p.grantId));
      const second = (await offline()).tokens;
      await s.app.container.sharing.revoke(holder.id, rp.clientId);
      await rejectsWith(client.refreshTokenGrant(rp.config, second.refresh_token!), "invalid_grant");
      assert.equal(await active(second.refresh_token!), false);
    });

    it("parallel refreshes of different tokens all succeed, one marker each, and each spent token is then refused", async () => {
      const browser = new Agent(s.url);
      const spent: string[] = [];
      for (let i = 0; i < 8; i++) spent.push((await codeFlow(rp, browser, holder, OFFLINE)).tokens.refresh_token!);
      const before = await count(`kind = '${SPENT_SIGNED_KIND}'`);
      const answers = await Promise.all(spent.map((rt) => client.refreshTokenGrant(rp.config, rt)));
      assert.equal(await count(`kind = '${SPENT_SIGNED_KIND}'`), before + spent.length);
      assert.equal(new Set(answers.map((a) => a.refresh_token)).size, spent.length);
      assert.deepEqual(await Promise.all(spent.map(active)), spent.map(() => false));
      assert.deepEqual(await Promise.all(answers.map((a) => active(a.refresh_token!))), spent.map(() => true));
    });

    it("a marker stays while its token could be presented, and goes with the expiry purge after", async () => {
      const { tokens } = await offline();
      const { p } = signedBody(tokens.refresh_token!);
      await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
      const markers = () => count(`kind = '${SPENT_SIGNED_KIND}' AND id = '${storedId(SPENT_SIGNED_KIND, p.jti)}'`);
      const store = new OidcStore(s.app.container.ds);
      await store.purgeExpired();
      assert.equal(await markers(), 1, "kept: the token has not expired");
      assert.notEqual((await store.findRefreshGrant(p.grantId, p.jti)).spentAt, null);
      await store.purgeExpired(p.exp * 1000 + 1);
      assert.equal(await markers(), 0, "purged once the token would have expired");
    });

    it("a refresh token stored by an earlier version refreshes once into signed tokens, and its replay ends the grant", async () => {
      const { tokens } = await offline();
      const { p } = signedBody(tokens.refresh_token!);
      // As an earlier version stored it: oidc-provider's payload under a random id.
      const legacy = crypto.randomBytes(32).toString("base64url");
      const { jti: _jti, ...rest } = p;
      await s.app.container.oidcStore.upsert("RefreshToken", legacy, { ...rest, jti: legacy, accountId: holder.id, iiat: p.iat, rotations: 0 }, 3600);
      assert.equal(await active(legacy), true);
      const refreshed = await client.refreshTokenGrant(rp.config, legacy);
      assert.match(refreshed.refresh_token!, /^prt1\./);
      assert.match(refreshed.access_token, /^pat1\./);
      assert.equal(typeof (await new OidcStore(s.app.container.ds).find("RefreshToken", { id: legacy }))?.consumed, "number", "its row is spent");
      await rejectsWith(client.refreshTokenGrant(rp.config, legacy), "invalid_grant");
      assert.ok(await grantGone(p.grantId));
      await rejectsWith(client.refreshTokenGrant(rp.config, refreshed.refresh_token!), "invalid_grant");
    });
  });
}
