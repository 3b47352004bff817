// The developer console: a developer manages only the clients they own (any other id is a 404 on
// every route), co-owners manage them too, the operator's policy decides who may register, the
// per-account limit holds under parallel registrations, and Passport scopes wait for approval.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { authKeyFor, createHolder } from "../helpers/accounts.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { clientCredentials, clientForm, fieldError, postAndFollow, registerClient, rsaEncryptionJwks, textOf } from "../admin/admin-helpers.js";

async function developer(s: TestServer, opts: { email?: string; admin?: boolean } = {}) {
  const holder = await createHolder(s.app.container, opts);
  const agent = new Agent(s.url);
  await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: holder.email } });
  const res = await agent.request("POST", "/api/session", { json: { email: holder.email, authKey: await authKeyFor(holder.password, pre.json().kdf) } });
  assert.equal(res.status, 200, res.text);
  await agent.get("/developers");
  return { agent, holder };
}

for (const db of databases()) {
  describe(`developer console (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn", DEVELOPER_MAX_CLIENTS: "3" });
    });
    after(() => s.close());

    it("another developer gets 404 on every route of a client not theirs; the owner manages it", async () => {
      const alice = await developer(s);
      const { clientId, secret } = await registerClient(alice.agent, { name: "Alice App" }, "/developers");
      assert.equal((await clientCredentials(s.url, clientId, secret)).status, 200);
      const list = await alice.agent.get("/developers");
      assert.ok(list.text.includes(clientId));

      const mallory = await developer(s);
      assert.ok(!(await mallory.agent.get("/developers")).text.includes(clientId), "not in another's list");
      for (const path of ["", "/edit", "/delete", "/rotate-secret", "/secret"]) {
        const res = await mallory.agent.get(`/developers/clients/${clientId}${path}`);
        assert.equal(res.status, 404, `GET ${path}`);
        assert.ok(!res.text.includes("Alice App"), `GET ${path} tells nothing`);
      }
      for (const [path, form] of [
        ["", clientForm({ name: "Hijacked" })],
        ["/rotate-secret", { confirm: "yes" }],
        ["/disable", {}],
        ["/enable", {}],
        ["/delete", { confirm: "yes" }],
        ["/owners", { email: mallory.holder.email }],
        [`/owners/${alice.holder.id}/remove`, {}],
      ] as const) {
        const res = await mallory.agent.request("POST", `/developers/clients/${clientId}${path}`, { form: form as Record<string, string> });
        assert.equal(res.status, 404, `POST ${path}`);
      }
      const still = await s.app.container.clients.get(clientId);
      assert.equal(still.name, "Alice App");
      assert.equal(still.enabled, true);
      assert.equal((await clientCredentials(s.url, clientId, secret)).status, 200, "secret not rotated");

      // The owner may do all of it.
      await alice.agent.get(`/developers/clients/${clientId}`);
      const disabled = await alice.agent.request("POST", `/developers/clients/${clientId}/disable`, { form: {} });
      assert.equal(disabled.status, 303);
      assert.equal((await s.app.container.clients.get(clientId)).enabled, false);
      const rotated = await postAndFollow(alice.agent, `/developers/clients/${clientId}/rotate-secret`, { confirm: "yes" });
      assert.notEqual(textOf(rotated.text, "client-secret"), secret);
      const deleted = await alice.agent.request("POST", `/developers/clients/${clientId}/delete`, { form: { confirm: "yes" } });
      assert.equal(deleted.status, 303);
      await assert.rejects(s.app.container.clients.get(clientId));
    });

    it("adds co-owners by email (unknown email: a field error), who then manage the client; the last owner stays", async () => {
      const alice = await developer(s);
      const bob = await developer(s);
      const { clientId } = await registerClient(alice.agent, { name: "Shared App" }, "/developers");
      await alice.agent.get(`/developers/clients/${clientId}`);
      const unknown = await alice.agent.request("POST", `/developers/clients/${clientId}/owners`, { form: { email: "nobody@example.invalid" } });
      assert.equal(unknown.status, 400);
      assert.match(fieldError(unknown.text, "email") ?? "", /no account/);
      const added = await alice.agent.request("POST", `/developers/clients/${clientId}/owners`, { form: { email: bob.holder.email.toUpperCase() } });
      assert.equal(added.status, 303, added.text);

      const page = await bob.agent.get(`/developers/clients/${clientId}`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(alice.holder.email) && page.text.includes(bob.holder.email), "both owners listed");
      const edit = await bob.agent.request("POST", `/developers/clients/${clientId}`, { form: clientForm({ name: "Renamed by Bob" }) });
      assert.equal(edit.status, 303);
      assert.equal((await s.app.container.clients.get(clientId)).name, "Renamed by Bob");
      // Bob removes Alice; then Bob, the last owner, cannot remove himself.
      assert.equal((await bob.agent.request("POST", `/developers/clients/${clientId}/owners/${alice.holder.id}/remove`, { form: {} })).status, 303);
      assert.equal((await alice.agent.get(`/developers/clients/${clientId}`)).status, 404, "a removed owner has no access");
      await bob.agent.get(`/developers/clients/${clientId}`);
      const last = await bob.agent.request("POST", `/developers/clients/${clientId}/owners/${bob.holder.id}/remove`, { form: {} });
      assert.equal(last.status, 400);
      assert.match(last.text, /last owner/);

      // The admin page lists every client with its owners.
      const admin = await developer(s, { admin: true });
      const adminList = await admin.agent.get("/admin");
      assert.ok(adminList.text.includes(clientId) && adminList.text.includes(bob.holder.email));
    });

    it("holds DEVELOPER_MAX_CLIENTS under 10 parallel registrations", async () => {
      const dev = await developer(s);
      await dev.agent.get("/developers/clients/new");
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => dev.agent.request("POST", "/developers/clients", { form: clientForm({ name: `Parallel ${i}` }) })),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(3).fill(303), ...Array(7).fill(409)], statuses.join(","));
      assert.match(results.find((r) => r.status === 409)!.text, /the most one account may have/);
      const page = await dev.agent.get("/developers");
      assert.equal(page.text.match(/Parallel \d/g)?.length, 3);
      // Deleting one frees a slot.
      const first = (await s.app.container.developers.list({ id: dev.holder.id, email: dev.holder.email, isAdmin: false } as never))[0]!;
      await dev.agent.get(`/developers/clients/${first.clientId}/delete`);
      assert.equal((await dev.agent.request("POST", `/developers/clients/${first.clientId}/delete`, { form: { confirm: "yes" } })).status, 303);
      await dev.agent.get("/developers/clients/new");
      assert.equal((await dev.agent.request("POST", "/developers/clients", { form: clientForm({ name: "After delete" }) })).status, 303);
    });

    it("a registration asking for Passport scopes needs a purpose and waits for approval", async () => {
      const dev = await developer(s);
      await dev.agent.get("/developers/clients/new");
      const jwks = await rsaEncryptionJwks();
      const over = { name: "Bank KYC", scopes: ["openid", "passport:personal_details"], jwks };
      const noPurpose = await dev.agent.request("POST", "/developers/clients", { form: clientForm(over) });
      assert.equal(noPurpose.status, 400);
      assert.match(fieldError(noPurpose.text, "purpose") ?? "", /what your service needs/);
      const noKey = await dev.agent.request("POST", "/developers/clients", { form: clientForm({ ...over, jwks: "", purpose: "Opening bank accounts" }) });
      assert.equal(noKey.status, 400);
      assert.match(fieldError(noKey.text, "jwks") ?? "", /Passport scopes \(passport:personal_details\) need the client's public encryption key: add/);
      const { clientId } = await registerClient(dev.agent, { ...over, purpose: "Opening bank accounts" }, "/developers");
      const client = (await s.app.container.clients.get(clientId)) as unknown as { approval?: string };
      assert.equal(client.approval, "pending");
    });
  });

  describe(`developer console policy (${db})`, () => {
    let admins: TestServer;
    let domain: TestServer;
    before(async () => {
      admins = await startServer(db, { LOG_LEVEL: "warn", DEVELOPER_REGISTRATION: "admins" });
      domain = await startServer(db, { LOG_LEVEL: "warn", DEVELOPER_REGISTRATION: "domain:corp.example,lab.example" });
    });
    after(async () => {
      await admins.close();
      await domain.close();
    });

    it("admins-only refuses a normal account with a page that says why, and lets an admin in", async () => {
      const dev = await developer(admins);
      const page = await dev.agent.get("/developers");
      assert.equal(page.status, 403);
      assert.match(page.text, /only administrators may register clients/);
      const post = await dev.agent.request("POST", "/developers/clients", { form: clientForm() });
      assert.equal(post.status, 403);
      assert.equal((await admins.app.container.clients.list()).length, 0);
      const admin = await developer(admins, { admin: true });
      assert.equal((await admin.agent.get("/developers")).status, 200);
    });

    it("domain policy lets in only accounts at those domains", async () => {
      const outsider = await developer(domain, { email: `x${Date.now()}@other.example` });
      const refused = await outsider.agent.get("/developers");
      assert.equal(refused.status, 403);
      assert.match(refused.text, /corp\.example, lab\.example/);
      const insider = await developer(domain, { email: `y${Date.now()}@lab.example` });
      assert.equal((await insider.agent.get("/developers")).status, 200);
      await registerClient(insider.agent, { name: "Lab App" }, "/developers");
    });
  });
}
