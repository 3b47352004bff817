// Disconnecting an app from the connected-apps page ends its tokens, the stored payload and its
// access to scans at once, leaves other apps alone, and keeps the share log. A relying party that
// revokes its own access token ends its file access too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { ShareEntity } from "../../src/db/entities.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { rejectsWith } from "../helpers/oidc.js";
import { storeDocument } from "./documents.js";
import { ALL_SCOPES, registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();

const fileStatus = async (s: TestServer, shared: Shared) => {
  const id = shared.payload.data.passport!.files[0]!.id;
  return (await fetch(`${s.url}/passport/files/${id}`, { headers: { authorization: `Bearer ${shared.tokens.access_token}` } })).status;
};

/** userinfo with this token fails as a bearer token error. */
async function userinfoRefused(rp: PassportRp, shared: Shared): Promise<void> {
  await assert.rejects(client.fetchUserInfo(rp.config, shared.tokens.access_token, shared.userinfo.sub), (e: unknown) => {
    assert.ok(e instanceof client.WWWAuthenticateChallengeError, String(e));
    assert.equal(e.status, 401);
    assert.equal(e.cause[0]?.parameters.error, "invalid_token");
    return true;
  });
}

for (const db of databases()) {
  describe(`sharing: revocation (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;

    const sharesOf = (clientId: string) => s.app.container.ds.getRepository(ShareEntity).findBy({ clientId });
    const connected = async () => {
      const res = await h.agent.request("GET", "/api/connected");
      assert.equal(res.status, 200, res.text);
      return res.json() as { apps: { clientId: string }[]; history: { clientId: string; types: string[] }[] };
    };

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      await storeDocument(h, "passport");
    });
    after(() => s.close());

    it("disconnecting an app ends its tokens, its stored payload and its file access, and nothing else", async () => {
      const a = await registerPassportRp(s, { name: "App A", scopes: [...ALL_SCOPES, "offline_access"], input: { grantTypes: ["authorization_code", "refresh_token"] } });
      const b = await registerPassportRp(s, { name: "App B" });
      const sharedA = await sharePassport(s, a, h, "openid offline_access passport:passport", { params: { prompt: "consent" } });
      const sharedB = await sharePassport(s, b, h, "openid passport:passport");
      assert.ok(sharedA.tokens.refresh_token, "offline access was granted");
      assert.equal(await fileStatus(s, sharedA), 200);
      assert.equal((await sharesOf(a.clientId)).length, 1);
      assert.deepEqual((await connected()).apps.map((x) => x.clientId).sort(), [a.clientId, b.clientId].sort());

      const res = await h.agent.request("POST", `/api/connected/${encodeURIComponent(a.clientId)}/revoke`, { json: {} });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { revokedGrants: 1 });

      await userinfoRefused(a, sharedA);
      assert.equal(await fileStatus(s, sharedA), 401);
      await rejectsWith(client.refreshTokenGrant(a.config, sharedA.tokens.refresh_token!), "invalid_grant");
      assert.deepEqual(await sharesOf(a.clientId), [], "the stored JWE is gone");
      const listed = await connected();
      assert.deepEqual(listed.apps.map((x) => x.clientId), [b.clientId]);
      assert.ok(listed.history.some((e) => e.clientId === a.clientId && e.types.includes("passport")), "the share log keeps the share");

      // App B is untouched.
      assert.equal(typeof (await client.fetchUserInfo(b.config, sharedB.tokens.access_token, sharedB.userinfo.sub)).passport, "string");
      assert.equal(await fileStatus(s, sharedB), 200);

      // Nothing left to disconnect; and A must ask afresh.
      assert.equal((await h.agent.request("POST", `/api/connected/${encodeURIComponent(a.clientId)}/revoke`, { json: {} })).status, 404);
      const again = await sharePassport(s, a, h, "openid passport:passport");
      assert.equal(again.consent.remembered, false);
    });

    it("the disconnect form does the same", async () => {
      const c = await registerPassportRp(s, { name: "App C" });
      const shared = await sharePassport(s, c, h, "openid passport:passport");
      await h.agent.get("/connected");
      const res = await h.agent.request("POST", `/connected/${encodeURIComponent(c.clientId)}/revoke`, { form: {} });
      assert.equal(res.status, 303, res.text.slice(0, 200));
      assert.equal(new URL(res.location!).pathname + new URL(res.location!).search, "/connected?revoked=1");
      await userinfoRefused(c, shared);
      assert.equal(await fileStatus(s, shared), 401);
      assert.deepEqual(await sharesOf(c.clientId), []);
      // Without the page's CSRF token the form is refused.
      const d = await registerPassportRp(s, { name: "App D" });
      await sharePassport(s, d, h, "openid passport:passport");
      const forged = await h.agent.request("POST", `/connected/${encodeURIComponent(d.clientId)}/revoke`, { form: { _csrf: "forged" } });
      assert.equal(forged.status, 403);
      assert.equal((await sharesOf(d.clientId)).length, 1);
    });

    it("the relying party revoking its access token ends its file access", async () => {
      const e = await registerPassportRp(s, { name: "App E" });
      const shared = await sharePassport(s, e, h, "openid passport:passport");
      assert.equal(await fileStatus(s, shared), 200);
      await client.tokenRevocation(e.config, shared.tokens.access_token);
      assert.equal(await fileStatus(s, shared), 401);
      await userinfoRefused(e, shared);
    });
  });
}
