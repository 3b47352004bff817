// Per-client activity and change log. Sign-ins (real code flows through openid-client), shares by
// document type and error reports are counted per UTC day in the database, atomically, so parallel
// sign-ins are all counted; the admin's per-client page shows the last 14 days and the change log,
// which names who changed what (field names only, never a secret) and outlives a deleted client.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { codeFlow, registerRp, signIn } from "../helpers/oidc.js";
import { storeDocument } from "../sharing/documents.js";
import { registerPassportRp, sharePassport } from "../sharing/flow.js";
import { ClientActivityStore } from "../../src/db/client-activity.js";
import { ClientChangeEntity, ClientDailyStatEntity } from "../../src/db/entities.js";
import { ClientActivityService } from "../../src/services/client-activity.js";
import { hashClientSecret } from "../../src/services/client-secrets.js";
import { clientForm, postAndFollow, registerClient, signedIn, textOf } from "./admin-helpers.js";

pgNotice();

const total = (days: { signIns: number }[]) => days.reduce((n, d) => n + d.signIns, 0);

for (const db of databases()) {
  describe(`admin: client activity and change log (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
      h = await signUpHolder(s.url);
      await storeDocument(h, "passport");
    });
    after(() => s.close());

    it("counts every sign-in of 10 parallel code flows", async () => {
      const rp = await registerRp(s, { scopes: ["openid", "email"] });
      const holder = await createHolder(s.app.container);
      // Ten browsers of one holder, signed in one after another (the brute-force guard counts
      // sign-ins in flight); then the ten authorizations run in parallel.
      const agents: Agent[] = [];
      for (let i = 0; i < 10; i++) {
        const a = new Agent(s.url);
        await a.get("/signin"); // the CSRF token
        await signIn(a, holder);
        agents.push(a);
      }
      const flows = await Promise.all(agents.map((a) => codeFlow(rp, a, holder)));
      assert.equal(flows.filter((f) => f.tokens.access_token).length, 10);
      const days = await s.app.container.clientActivity.activity(rp.clientId, 14);
      assert.equal(days.length, 14);
      assert.equal(total(days), 10);
      // One more, sequentially (consent remembered this time).
      await codeFlow(rp, agents[0]!, holder);
      assert.equal(total(await s.app.container.clientActivity.activity(rp.clientId)), 11);
    });

    it("counts shares by document type and accepted error reports, not refused ones", async () => {
      const rp = await registerPassportRp(s, { name: "Counting Bank" });
      const shared = await sharePassport(s, rp, h, "openid passport:passport");
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret!)}`).toString("base64")}`;
      const report = (token: string) =>
        fetch(`${s.url}/passport/errors`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: basic },
          body: JSON.stringify({ access_token: token, errors: [{ type: "passport", version: shared.payload.data.passport!.version, kind: "unspecified", message: "Please check." }] }),
        });
      assert.equal((await report(shared.tokens.access_token)).status, 200);
      assert.equal((await report("not-a-token")).status, 401);
      const days = await s.app.container.clientActivity.activity(rp.clientId);
      const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((n, d) => n + f(d), 0);
      assert.equal(sum((d) => d.signIns), 1);
      assert.equal(sum((d) => d.shares.passport ?? 0), 1);
      assert.equal(sum((d) => d.errorReports), 1);
    });

    it("fills days without activity with zeros, oldest first", async () => {
      const day = Date.UTC(2026, 0, 10, 23, 59);
      let now = day;
      const svc = new ClientActivityService(new ClientActivityStore(s.app.container.ds), () => now);
      await svc.countSignIn("zero-fill");
      await svc.countShare("zero-fill", ["passport", "passport", "address"]);
      now = day + 2 * 86_400_000;
      await svc.countErrorReport("zero-fill");
      assert.deepEqual(await svc.activity("zero-fill", 4), [
        { day: "2026-01-09", signIns: 0, shares: {}, errorReports: 0, failures: 0 },
        { day: "2026-01-10", signIns: 1, shares: { passport: 1, address: 1 }, errorReports: 0, failures: 0 },
        { day: "2026-01-11", signIns: 0, shares: {}, errorReports: 0, failures: 0 },
        { day: "2026-01-12", signIns: 0, shares: {}, errorReports: 1, failures: 0 },
      ]);
    });

    it("logs who changed what on the admin page, never a secret; the page shows it with the activity; a deletion keeps the log and drops the counts", async () => {
      const { agent, holder } = await signedIn(s, true);
      const adminId = (await s.app.container.accounts.getByEmail(holder.email))!.id;
      const { clientId, secret } = await registerClient(agent, { name: "Logged" });
      await postAndFollow(agent, `/admin/clients/${clientId}`, clientForm({ name: "Logged 2", scopes: ["openid"] }));
      const rotated = await postAndFollow(agent, `/admin/clients/${clientId}/rotate-secret`, { confirm: "yes" });
      const secret2 = textOf(rotated.text, "client-secret");
      await postAndFollow(agent, `/admin/clients/${clientId}/disable`, {});
      await postAndFollow(agent, `/admin/clients/${clientId}/enable`, {});

      const changes = await s.app.container.clientActivity.changes(clientId);
      assert.deepEqual(
        changes.map((c) => [c.action, c.actor, c.via]),
        [["enable", adminId, "admin"], ["disable", adminId, "admin"], ["rotate", adminId, "admin"], ["update", adminId, "admin"], ["create", adminId, "admin"]],
      );
      assert.deepEqual(changes.find((c) => c.action === "update")!.fields, ["name", "scopes"]);
      assert.deepEqual(changes.find((c) => c.action === "rotate")!.fields, ["secret"]);
      assert.ok(changes.find((c) => c.action === "create")!.fields.includes("secret"), "the create names the secret field");
      assert.ok(changes.every((c) => c.at > 0 && c.at <= Date.now()));

      const rows = JSON.stringify(await s.app.container.ds.getRepository(ClientChangeEntity).find());
      for (const x of [secret, secret2, hashClientSecret(secret), hashClientSecret(secret2)]) assert.ok(!rows.includes(x), "no secret (or its hash) in the change log");

      const page = await agent.get(`/admin/clients/${clientId}`);
      assert.match(page.text, /id="activity"/);
      assert.equal((page.text.match(/<tr><td>\d{4}-\d\d-\d\d<\/td>/g) ?? []).length, 14, "14 days");
      assert.match(page.text, /id="changes"/);
      assert.ok(page.text.includes(`rotate (secret) by ${holder.email}`));

      await s.app.container.clientActivity.countSignIn(clientId);
      const del = await agent.request("POST", `/admin/clients/${clientId}/delete`, { form: { confirm: "yes" } });
      assert.equal(del.status, 303);
      const stats = await s.app.container.ds.getRepository(ClientDailyStatEntity).findBy({ clientId });
      assert.equal(stats.length, 0, "counts go with the client");
      const kept = await s.app.container.clientActivity.changes(clientId);
      assert.deepEqual(kept.slice(0, 2).map((c) => [c.action, c.actor]), [["delete", adminId], ["enable", adminId]], "the log stays, with the deletion");
    });
  });
}
