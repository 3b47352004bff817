// A client's recent events on its page (admin and developer console): completed sign-ins, shares
// with their document types, error reports with their size, and refused requests with their OAuth
// error (a Passport scope without an encryption key, a wrong redirect URI, a code redeemed twice),
// counted per day too; never which holder. Events older than 30 days go at the periodic purge.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { authRequest, codeFlow, redeem, registerRp, walk } from "../helpers/oidc.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder } from "../helpers/vault.js";
import { storeDocument } from "../sharing/documents.js";
import { registerPassportRp, sharePassport } from "../sharing/flow.js";
import { ClientActivityStore } from "../../src/db/client-activity.js";
import { ClientOwnerStore } from "../../src/db/client-owners.js";
import { ClientActivityService } from "../../src/services/client-activity.js";
import { purgeExpired } from "../../src/container.js";
import { signedIn } from "../admin/admin-helpers.js";

pgNotice();

for (const db of databases()) {
  describe(`client recent events (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
    });
    after(() => s.close());

    it("records sign-ins and refused requests with their OAuth error, and shows them on the page", async () => {
      const rp = await registerRp(s, { scopes: ["openid", "email"] });
      const holder = await createHolder(s.app.container);
      const agent = new Agent(s.url);
      const flow = await codeFlow(rp, agent, holder, { scope: "openid email" });
      // The same code again: the token endpoint refuses it (invalid_grant).
      await assert.rejects(redeem(rp.config, flow.walk.callback, flow.req));
      // A scope the client was not registered for: invalid_scope at /authorize.
      const req = await authRequest(rp.config, { scope: "openid passport:passport" });
      const w = await walk(agent, req.url);
      assert.equal(w.callback.searchParams.get("error"), "invalid_scope");

      const recent = await s.app.container.clientActivity.recent(rp.clientId);
      assert.deepEqual(recent.map((e) => [e.kind, e.error ?? null]), [["failure", "invalid_scope"], ["failure", "invalid_grant"], ["signin", null]]);
      assert.ok(recent[0]!.description && recent[0]!.description.length > 0, "the description says why");
      const days = await s.app.container.clientActivity.activity(rp.clientId, 1);
      assert.deepEqual([days[0]!.signIns, days[0]!.failures], [1, 2]);

      const admin = (await signedIn(s, true)).agent;
      const page = await admin.get(`/admin/clients/${rp.clientId}`);
      assert.match(page.text, /id="recent"/);
      assert.match(page.text, /<strong>refused<\/strong>: <code>invalid_scope<\/code>/);
      assert.match(page.text, /<strong>refused<\/strong>: <code>invalid_grant<\/code>/);
      assert.match(page.text, /sign-in completed/);
      assert.ok(!page.text.includes(holder.email), "the events never name the holder");
    });

    it("records shares with their types and error reports with their size, on the owner's console page too", async () => {
      const h = await signUpHolder(s.url);
      const doc = await storeDocument(h, "passport");
      const rp = await registerPassportRp(s, { name: "Events Bank" });
      const shared = await sharePassport(s, rp, h, "openid passport:passport");
      const res = await fetch(`${s.url}/passport/errors`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret!)}`).toString("base64")}` },
        body: JSON.stringify({
          access_token: shared.tokens.access_token,
          errors: [
            { type: "passport", version: doc.version, kind: "unspecified", message: "Please check." },
            { type: "passport", version: doc.version, kind: "data", field: "document_no", message: "Unreadable." },
          ],
        }),
      });
      assert.equal(res.status, 200);
      const recent = await s.app.container.clientActivity.recent(rp.clientId);
      assert.deepEqual(recent.map((e) => e.kind).sort(), ["error_report", "share", "signin"]);
      assert.deepEqual(recent.find((e) => e.kind === "share")!.types, ["passport"]);
      assert.equal(recent.find((e) => e.kind === "error_report")!.errors, 2);

      // The developer console shows the same to an owner.
      const dev = await signedIn(s, false);
      await new ClientOwnerStore(s.app.container.ds).add(rp.clientId, dev.holder.id, 10);
      const page = await dev.agent.get(`/developers/clients/${rp.clientId}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /documents shared: <code>passport<\/code>/);
      assert.match(page.text, /error report sent \(2 errors\)/);
    });

    it("purges events older than 30 days, keeping newer ones", async () => {
      let now = Date.now() - 31 * 86_400_000;
      const svc = new ClientActivityService(new ClientActivityStore(s.app.container.ds), () => now);
      await svc.countSignIn("purge-me");
      now = Date.now();
      await svc.countFailure("purge-me", "invalid_request", "x".repeat(1000));
      const purged = await purgeExpired(s.app.container);
      assert.ok(purged.clientEvents! >= 1);
      const left = await svc.recent("purge-me");
      assert.deepEqual(left.map((e) => e.kind), ["failure"]);
      assert.equal(left[0]!.description!.length, 300, "descriptions are cut");
    });
  });
}

