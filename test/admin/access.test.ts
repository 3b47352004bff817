// Who may open the admin pages, and how bad requests are answered: sign-in redirect, 403 for
// non-admins, CSRF, unknown clients, oversized bodies.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { clientForm, registerClient, signedIn } from "./admin-helpers.js";

pgNotice();

for (const db of databases()) {
  describe(`admin access (${db})`, () => {
    let s: TestServer;
    before(async () => {
      // A small, known body limit, so the oversized-body test does not depend on the default.
      s = await startServer(db, { LOG_LEVEL: "warn", BODY_LIMIT: "32kb" });
    });
    after(() => s.close());

    it("sends an anonymous browser to sign in and back", async () => {
      const agent = new Agent(s.url);
      const list = await agent.get("/admin");
      assert.equal(list.status, 303);
      assert.equal(list.location, `${s.url}/signin?next=${encodeURIComponent("/admin")}`);
      const form = await agent.get("/admin/clients/new");
      assert.equal(form.status, 303);
      assert.equal(form.location, `${s.url}/signin?next=${encodeURIComponent("/admin/clients/new")}`);
      const signin = await agent.get(form.location!);
      assert.equal(signin.status, 200);
      assert.match(signin.text, /data-next="\/admin\/clients\/new"|value="\/admin\/clients\/new"/);
    });

    it("answers anonymous JSON requests with 401, not a redirect", async () => {
      const res = await new Agent(s.url).request("GET", "/admin", { headers: { accept: "application/json" } });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, "unauthorized");
    });

    it("refuses a signed-in holder who is not an admin (403 page, JSON 403)", async () => {
      const { agent } = await signedIn(s, false);
      const page = await agent.get("/admin");
      assert.equal(page.status, 403);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      assert.match(page.text, /<h1>Not allowed<\/h1>/);
      assert.match(page.text, /Only administrators may open the admin pages, and [^ ]+ is not one/);
      const json = await agent.request("GET", "/admin", { headers: { accept: "application/json" } });
      assert.equal(json.status, 403);
      assert.equal(json.json().code, "forbidden");
      const before = (await s.app.container.clients.list()).length;
      const post = await agent.request("POST", "/admin/clients", { form: clientForm({ name: "Sneaky" }) });
      assert.equal(post.status, 403);
      assert.equal((await s.app.container.clients.list()).length, before);
    });

    it("refuses an admin form without the CSRF token or with a wrong one", async () => {
      const { agent } = await signedIn(s, true);
      await agent.get("/admin/clients/new");
      const before = (await s.app.container.clients.list()).length;
      for (const token of ["", "forged-token"]) {
        const res = await agent.request("POST", "/admin/clients", { form: [["_csrf", token], ...clientForm({ name: "No CSRF" })] });
        assert.equal(res.status, 403);
        assert.match(res.text, /The form has expired or came from another site/);
      }
      const { clientId } = await registerClient(agent, { name: "Has CSRF" });
      const rotate = await agent.request("POST", `/admin/clients/${clientId}/rotate-secret`, { form: { _csrf: "" } });
      assert.equal(rotate.status, 403);
      assert.equal((await s.app.container.clients.list()).length, before + 1);
    });

    it("answers 404 for a client that does not exist", async () => {
      const { agent } = await signedIn(s, true);
      await agent.get("/admin");
      for (const path of ["/admin/clients/no-such-client", "/admin/clients/no-such-client/edit", "/admin/clients/no-such-client/delete"]) {
        const res = await agent.get(path);
        assert.equal(res.status, 404, path);
        assert.match(res.text, /no client no-such-client/);
      }
      for (const action of ["rotate-secret", "disable", "enable", "delete"]) {
        const res = await agent.request("POST", `/admin/clients/no-such-client/${action}`, { form: { confirm: "yes" } });
        assert.equal(res.status, 404, action);
      }
      const update = await agent.request("POST", "/admin/clients/no-such-client", { form: clientForm() });
      assert.equal(update.status, 404);
    });

    it("answers 413 (not 500) to a body over the limit", async () => {
      const { agent } = await signedIn(s, true);
      await agent.get("/admin/clients/new");
      const res = await agent.request("POST", "/admin/clients", { form: clientForm({ name: "x".repeat(40 * 1024) }) });
      assert.equal(res.status, 413);
      assert.match(res.text, /too large/i);
      assert.ok(!s.logLines.some((l) => l.includes('"level":"error"')), "nothing was logged as a server error");
    });
  });
}
