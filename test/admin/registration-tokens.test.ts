// The admin page's registration tokens (initial access tokens for RFC 7591): issued with an expiry
// and a use count and shown once (POST → redirect → GET), listed with uses left, revoked; only
// admins reach the page; a bad form answers with the field's message and keeps the values.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { CALLBACK } from "../helpers/oidc.js";
import { fieldError, postAndFollow, signedIn, textOf } from "./admin-helpers.js";

pgNotice();

const register = (s: TestServer, token: string) =>
  fetch(`${s.url}/reg`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ client_name: "From the admin page", redirect_uris: [CALLBACK] }) });

for (const db of databases()) {
  describe(`admin registration tokens (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db);
    });
    after(() => s.close());

    it("issues a token shown once, lists its uses left, and revokes it", async () => {
      const { agent } = await signedIn(s, true);
      await agent.get("/admin/registration-tokens");
      const page = await postAndFollow(agent, "/admin/registration-tokens", { expires_in: "2h", uses: "2" });
      assert.equal(page.status, 200, page.text);
      const token = textOf(page.text, "registration-token");
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const listedPage = await agent.get("/admin/registration-tokens");
      const again = await agent.get(`/admin/registration-tokens?created=${(await s.app.container.registration.list())[0]!.id}`);
      assert.ok(!listedPage.text.includes(token), "the list shows no token value");
      assert.ok(!again.text.includes(token), "the token is shown only once");

      assert.equal((await register(s, token)).status, 201);
      const [listed] = await s.app.container.registration.list();
      assert.equal(listed!.usesLeft, 1);
      assert.equal(textOf((await agent.get("/admin/registration-tokens")).text, `uses-left-${listed!.id}`), "1");

      const revoked = await postAndFollow(agent, `/admin/registration-tokens/${listed!.id}/revoke`, {});
      assert.match(revoked.text, /The token was revoked/);
      assert.equal((await register(s, token)).status, 401);
      assert.equal((await s.app.container.registration.list()).length, 0);
    });

    it("answers a bad form with the field's message and keeps what was typed", async () => {
      const { agent } = await signedIn(s, true);
      await agent.get("/admin/registration-tokens");
      const res = await agent.request("POST", "/admin/registration-tokens", { form: { expires_in: "3 years", uses: "0" } });
      assert.equal(res.status, 400);
      assert.match(fieldError(res.text, "expires_in") ?? "", /30m, 12h or 7d/);
      assert.match(fieldError(res.text, "uses") ?? "", /whole number/);
      assert.match(res.text, /value="3 years"/);
      const unknown = await agent.request("POST", "/admin/registration-tokens/nope/revoke", { form: {} });
      assert.equal(unknown.status, 404);
    });

    it("is for admins only", async () => {
      const { agent } = await signedIn(s, false);
      assert.equal((await agent.get("/admin/registration-tokens")).status, 403);
      await agent.get("/account");
      assert.equal((await agent.request("POST", "/admin/registration-tokens", { form: { expires_in: "1d" } })).status, 403);
      assert.equal((await s.app.container.registration.list()).length, 0, "nothing issued");
    });
  });
}
