// The admin pages for verifiers: register, field-named errors (unknown trust framework, taken
// slug, bad URL), edit, disable and enable, members by email; POST → redirect; admins only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHolder } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signedIn } from "../admin/admin-helpers.js";
import type { Agent } from "../helpers/agent.js";
import { uniqueSlug } from "./helpers.js";

pgNotice();

const form = (over: Record<string, string> = {}) => ({ slug: uniqueSlug("adm"), name: "Acme KYC", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: "pipp, sripp", externalIssuer: "", ...over });

for (const db of databases()) {
  describe(`admin: verifiers (${db})`, () => {
    let s: TestServer;
    let admin: Agent;
    before(async () => {
      s = await startServer(db, { VERIFIER_TRUST_FRAMEWORKS: "uk_tfida, ch_amla" });
      admin = (await signedIn(s, true)).agent;
      await admin.get("/admin/verifiers");
    });
    after(() => s.close());

    it("registers a verifier (POST → redirect → details) and lists it", async () => {
      const f = form({ trustFramework: "uk_tfida" });
      const res = await admin.request("POST", "/admin/verifiers", { form: f });
      assert.equal(res.status, 303, res.text);
      assert.equal(new URL(res.location!).pathname + new URL(res.location!).search, `/admin/verifiers/${f.slug}?done=created`);
      const page = await admin.get(res.location!);
      assert.equal(page.status, 200);
      assert.match(page.text, /The verifier was registered/);
      assert.match(page.text, /<code>uk_tfida<\/code>/);
      assert.match(page.text, /<code>sripp<\/code>/);
      const list = await admin.get("/admin/verifiers");
      assert.match(list.text, new RegExp(`href="/admin/verifiers/${f.slug}"`));
      assert.match((await admin.get("/admin")).text, /id="verifiers-link"/);
    });

    it("names each wrong field: unknown trust framework, taken slug, bad slug, no name, bad URL, no evidence", async () => {
      const taken = form();
      assert.equal((await admin.request("POST", "/admin/verifiers", { form: taken })).status, 303);
      const bad = await admin.request("POST", "/admin/verifiers", { form: form({ slug: "Not A Slug!", name: "", trustFramework: "made_up", externalIssuer: "ftp://x", evidenceMethods: "" }) });
      assert.equal(bad.status, 400);
      for (const f of ["slug", "name", "trustFramework", "externalIssuer", "evidenceMethods"]) assert.match(bad.text, new RegExp(`id="error-${f}"`), f);
      assert.match(bad.text, /Trust framework: must be one of eidas, de_aml, uk_tfida, ch_amla/);
      assert.match(bad.text, /value="Not A Slug!"/, "what was typed is kept");
      const dup = await admin.request("POST", "/admin/verifiers", { form: form({ slug: taken.slug }) });
      assert.equal(dup.status, 400);
      assert.match(dup.text, /id="error-slug"[^>]*>is taken/);
    });

    it("edits (not the slug), disables and enables", async () => {
      const f = form();
      await admin.request("POST", "/admin/verifiers", { form: f });
      const edit = await admin.get(`/admin/verifiers/${f.slug}/edit`);
      assert.equal(edit.status, 200);
      assert.match(edit.text, /value="Acme KYC"/);
      const bad = await admin.request("POST", `/admin/verifiers/${f.slug}`, { form: { ...f, trustFramework: "nope" } });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /id="error-trustFramework"/);
      const ok = await admin.request("POST", `/admin/verifiers/${f.slug}`, { form: { ...f, slug: "ignored", name: "Acme Compliance", trustFramework: "de_aml" } });
      assert.equal(ok.status, 303);
      const v = await s.app.container.verifiers.get(f.slug);
      assert.equal(v.name, "Acme Compliance");
      assert.equal(v.trustFramework, "de_aml");
      assert.match((await admin.request("POST", `/admin/verifiers/${f.slug}/disable`, { form: {} })).location!, new RegExp(`/admin/verifiers/${f.slug}\\?done=disabled$`));
      assert.equal((await s.app.container.verifiers.get(f.slug)).status, "disabled");
      await admin.request("POST", `/admin/verifiers/${f.slug}/enable`, { form: {} });
      assert.equal((await s.app.container.verifiers.get(f.slug)).status, "active");
      assert.equal((await admin.get("/admin/verifiers/no-such-one")).status, 404);
    });

    it("adds members by email (existing accounts only) and removes them", async () => {
      const f = form();
      await admin.request("POST", "/admin/verifiers", { form: f });
      const staff = await createHolder(s.app.container);
      const unknown = await admin.request("POST", `/admin/verifiers/${f.slug}/members`, { form: { email: "nobody@example.test" } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /id="error-email"[^>]*>no account has this email/);
      assert.match(unknown.text, /value="nobody@example.test"/);
      const added = await admin.request("POST", `/admin/verifiers/${f.slug}/members`, { form: { email: staff.email.toUpperCase() } });
      assert.equal(added.status, 303);
      const page = await admin.get(added.location!);
      assert.match(page.text, new RegExp(staff.email.replace(/[.]/g, "\\.")));
      const again = await admin.request("POST", `/admin/verifiers/${f.slug}/members`, { form: { email: staff.email } });
      assert.equal(again.status, 400);
      assert.match(again.text, /is a member already/);
      const removed = await admin.request("POST", `/admin/verifiers/${f.slug}/members/${staff.id}/remove`, { form: {} });
      assert.equal(removed.status, 303);
      assert.deepEqual(await s.app.container.verifiers.members(f.slug), []);
    });

    it("is for admins only", async () => {
      const { agent } = await signedIn(s, false);
      assert.equal((await agent.get("/admin/verifiers")).status, 403);
      assert.equal((await agent.request("POST", "/admin/verifiers", { form: form() })).status, 403);
    });
  });
}
