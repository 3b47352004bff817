// Managing a registered client on the admin page: edit, rotate the secret, disable and enable,
// delete after confirming. The token endpoint shows each change took effect.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Agent } from "../helpers/agent.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { clientCredentials, clientForm, esc, fieldError, registerClient, signedIn, textOf, postAndFollow } from "./admin-helpers.js";

for (const db of databases()) {
  describe(`admin: manage a client (${db})`, () => {
    let s: TestServer;
    let agent: Agent;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
      ({ agent } = await signedIn(s, true));
    });
    after(() => s.close());

    it("edits a client with the form prefilled, and keeps the values when an edit is refused", async () => {
      const { clientId, secret } = await registerClient(agent, { name: "Old Name", postLogoutRedirectUris: "https://rp.example/bye" });
      const edit = await agent.get(`/admin/clients/${clientId}/edit`);
      assert.equal(edit.status, 200);
      assert.match(edit.text, /id="f-name" name="name" type="text" value="Old Name"/);
      assert.ok(edit.text.includes(">\nhttps://rp.example/cb\nhttps://rp.example/cb2</textarea>"), "redirect URIs one per line");
      assert.ok(edit.text.includes(">\nhttps://rp.example/bye</textarea>"));
      assert.match(edit.text, /value="client_credentials" checked/);
      assert.match(edit.text, /<option value="client_secret_basic" selected>/);
      assert.match(edit.text, new RegExp(`action="/admin/clients/${clientId}"`));

      const bad = await agent.request("POST", `/admin/clients/${clientId}`, { form: clientForm({ name: "New Name", redirectUris: "http://rp.example/cb" }) });
      assert.equal(bad.status, 400);
      assert.match(fieldError(bad.text, "redirectUris") ?? "", /uses http outside loopback/);
      assert.match(bad.text, /value="New Name"/);
      assert.equal((await s.app.container.clients.get(clientId)).name, "Old Name", "a refused edit changes nothing");

      const saved = await agent.request("POST", `/admin/clients/${clientId}`, {
        form: clientForm({ name: "New Name", redirectUris: "https://rp.example/cb\nhttps://rp.example/other", scopes: ["openid"], subjectType: "public" }),
      });
      assert.equal(saved.status, 303);
      assert.equal(saved.location, `${s.url}/admin/clients/${clientId}?done=updated`);
      const details = await agent.get(saved.location!);
      assert.match(details.text, /The client was saved/);
      assert.match(details.text, /<h1>New Name /);
      const input = (await s.app.container.clients.get(clientId)).input;
      assert.deepEqual(input.redirectUris, ["https://rp.example/cb", "https://rp.example/other"]);
      assert.deepEqual(input.scopes, ["openid"]);
      assert.equal(input.subjectType, "public");
      assert.equal((await clientCredentials(s.url, clientId, secret)).status, 200, "an edit keeps the secret");
    });

    it("shows a secret when an edit switches a client to a secret-based method, and drops it when switching away", async () => {
      const spa = await postAndFollow(agent, "/admin/clients", clientForm({ name: "SPA", type: "public", tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"] }));
      const clientId = textOf(spa.text, "client-id");
      await agent.get(`/admin/clients/${clientId}/edit`);
      const switched = await postAndFollow(agent, `/admin/clients/${clientId}`, clientForm({ name: "Now confidential" }));
      assert.equal(switched.status, 200);
      const secret = textOf(switched.text, "client-secret");
      assert.equal((await clientCredentials(s.url, clientId, secret)).status, 200);
      const back = await agent.request("POST", `/admin/clients/${clientId}`, { form: clientForm({ type: "public", tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"] }) });
      assert.equal(back.status, 303);
      assert.equal((await s.app.container.clients.get(clientId)).hasSecret, false);
    });

    it("rotates the secret: the new one is shown once and works, the old one is refused", async () => {
      const { clientId, secret: old } = await registerClient(agent, { name: "Rotating" });
      await agent.get(`/admin/clients/${clientId}`);
      const unconfirmed = await agent.request("POST", `/admin/clients/${clientId}/rotate-secret`, { form: {} });
      assert.equal(unconfirmed.status, 303, "without confirm=yes: to the confirmation page");
      assert.equal(unconfirmed.location, `${s.url}/admin/clients/${clientId}/rotate-secret`);
      assert.equal((await clientCredentials(s.url, clientId, old)).status, 200, "not rotated without confirmation");
      await agent.get(`/admin/clients/${clientId}/rotate-secret`);
      const res = await postAndFollow(agent, `/admin/clients/${clientId}/rotate-secret`, { confirm: "yes" });
      assert.equal(res.status, 200);
      assert.match(res.text, /only time it is shown/);
      const fresh = textOf(res.text, "client-secret");
      assert.notEqual(fresh, old);
      const refused = await clientCredentials(s.url, clientId, old);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error, "invalid_client");
      const ok = await clientCredentials(s.url, clientId, fresh);
      assert.equal(ok.status, 200);
      assert.ok(ok.body.access_token);
      assert.ok(!(await agent.get(`/admin/clients/${clientId}`)).text.includes(fresh), "the details page does not show it");
    });

    it("refuses to rotate the secret of a client that has none", async () => {
      const spa = await postAndFollow(agent, "/admin/clients", clientForm({ name: "No secret", type: "public", tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"] }));
      const clientId = textOf(spa.text, "client-id");
      const res = await agent.request("POST", `/admin/clients/${clientId}/rotate-secret`, { form: { confirm: "yes" } });
      assert.equal(res.status, 400);
      assert.match(res.text, /it has no secret/);
    });

    it("disables a client (token endpoint: invalid_client) and enables it again", async () => {
      const { clientId, secret } = await registerClient(agent, { name: "Switch" });
      await agent.get(`/admin/clients/${clientId}`);
      const off = await agent.request("POST", `/admin/clients/${clientId}/disable`, { form: {} });
      assert.equal(off.status, 303);
      assert.equal(off.location, `${s.url}/admin/clients/${clientId}?done=disabled`);
      const refused = await clientCredentials(s.url, clientId, secret);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error, "invalid_client");
      const details = await agent.get(off.location!);
      assert.match(details.text, /<span class="badge off">disabled<\/span>/);
      assert.match(details.text, /The client is disabled/);
      const list = await agent.get("/admin");
      assert.match(list.text, new RegExp(`${clientId}</code>[^]*?<span class="badge off">disabled</span>`));

      const on = await agent.request("POST", `/admin/clients/${clientId}/enable`, { form: {} });
      assert.equal(on.status, 303);
      assert.equal((await clientCredentials(s.url, clientId, secret)).status, 200);
      assert.match((await agent.get(on.location!)).text, /<span class="badge on">enabled<\/span>/);
    });

    it("deletes a client only after the confirmation step", async () => {
      const { clientId, secret } = await registerClient(agent, { name: "Doomed & Co" });
      const confirm = await agent.get(`/admin/clients/${clientId}/delete`);
      assert.equal(confirm.status, 200);
      assert.match(confirm.text, new RegExp(`Delete ${esc("Doomed & Co")}\\?`));
      assert.match(confirm.text, /name="confirm" value="yes"/);

      const unconfirmed = await agent.request("POST", `/admin/clients/${clientId}/delete`, { form: {} });
      assert.equal(unconfirmed.status, 303);
      assert.equal(unconfirmed.location, `${s.url}/admin/clients/${clientId}/delete`);
      assert.equal((await s.app.container.clients.get(clientId)).name, "Doomed & Co", "still there");

      const done = await agent.request("POST", `/admin/clients/${clientId}/delete`, { form: { confirm: "yes" } });
      assert.equal(done.status, 303);
      assert.equal(done.location, `${s.url}/admin?done=deleted`);
      const list = await agent.get(done.location!);
      assert.match(list.text, /The client was deleted/);
      assert.ok(!list.text.includes(clientId));
      assert.equal((await agent.get(`/admin/clients/${clientId}`)).status, 404);
      assert.equal((await clientCredentials(s.url, clientId, secret)).body.error, "invalid_client");
    });
  });
}
