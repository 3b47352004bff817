// The approval queue: under the approval policy a client that asks for Passport scopes waits for
// an administrator. Until approved (or once rejected) its Passport authorizations are refused with
// invalid_scope while plain OpenID sign-ins work; approval on the admin page lets them through, and
// the consent page then shows the purpose the client stated. The CLI approves and rejects too.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Agent } from "../helpers/agent.js";
import { databases, pgNotice, startServer, testEnv, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { authRequest, CALLBACK, redeem, redirectError, rpConfig, rpKeyPair, walk } from "../helpers/oidc.js";
import { shareFromConsent } from "../helpers/share.js";
import { storeDocument } from "../sharing/documents.js";
import { esc, signedIn } from "./admin-helpers.js";
import type * as client from "openid-client";

pgNotice();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const WAITING = "this client is waiting for an administrator's approval of its Passport scopes";
// Markup in a purpose must reach every page as text.
const PURPOSE = `Age checks for <b>wine</b> deliveries & "KYC"`;

interface PendingRp {
  clientId: string;
  config: client.Configuration;
}

/** Registers a client as the developer console does under the approval policy. */
async function pendingRp(s: TestServer, scopes = ["openid", "email", "passport:passport"]): Promise<PendingRp> {
  const key = await rpKeyPair("ECDH-ES+A256KW", "enc-1", { crv: "P-256" });
  const { client: view, secret } = await s.app.container.clients.create(
    { name: "Wine Shop", redirectUris: [CALLBACK], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic", scopes, jwks: { keys: [key.publicJwk] as never } },
    { purpose: PURPOSE, requireApproval: true, actor: { via: "console" } },
  );
  assert.equal(view.approval, "pending");
  return { clientId: view.clientId, config: await rpConfig(s, view.clientId, { client_secret: secret! }) };
}

/** Asks for a passport from the holder's signed-in browser; returns the error the client receives, if any. */
async function askPassport(rp: PendingRp, h: VaultHolder) {
  const req = await authRequest(rp.config, { scope: "openid passport:passport" });
  const page = await h.agent.follow(req.url.toString());
  return { req, page, error: new URL(page.url).origin === new URL(CALLBACK).origin ? redirectError(new URL(page.url)) : null };
}

function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "passport.js"), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000); // against a hang, not a timing assertion
    child.on("error", reject);
    child.on("close", (code) => (clearTimeout(guard), resolve({ code, stdout, stderr })));
    child.stdin.end();
  });
}

for (const db of databases()) {
  describe(`admin: approval queue (${db})`, () => {
    let s: TestServer;
    let admin: Agent;
    let adminId: string;
    let h: VaultHolder;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
      const signed = await signedIn(s, true);
      admin = signed.agent;
      adminId = (await s.app.container.accounts.getByEmail(signed.holder.email))!.id;
      h = await signUpHolder(s.url);
      await storeDocument(h, "passport");
    });
    after(() => s.close());

    it("refuses a pending client's Passport scopes with invalid_scope, but lets it sign people in with openid", async () => {
      const rp = await pendingRp(s);
      const asked = await askPassport(rp, h);
      assert.deepEqual(asked.error && { error: asked.error.error, description: asked.error.description }, { error: "invalid_scope", description: WAITING });

      const req = await authRequest(rp.config, { scope: "openid email" });
      const w = await walk(h.agent, req.url, { consent: "allow" });
      const tokens = await redeem(rp.config, w.callback, req);
      assert.ok(tokens.access_token && tokens.claims()!.sub, "a plain OpenID sign-in completes");
    });

    it("lists a pending client with its scopes and purpose; approving it on the admin page lets the holder share, and the consent page shows the purpose", async () => {
      const rp = await pendingRp(s);
      const list = await admin.get("/admin");
      assert.match(list.text, /id="approvals-link">Approval queue \(\d+\)/);
      const queue = await admin.get("/admin/approvals");
      assert.equal(queue.status, 200);
      const section = queue.text.slice(queue.text.indexOf(`id="pending-${rp.clientId}"`));
      assert.ok(section.length < queue.text.length, "the client is in the queue");
      assert.ok(section.includes("<code>passport:passport</code>"), "requested Passport scopes shown");
      assert.ok(section.includes(esc(PURPOSE)), "the purpose is shown, escaped");
      assert.ok(!queue.text.includes("<b>wine</b>"), "no markup from the purpose");

      const approved = await admin.request("POST", `/admin/approvals/${rp.clientId}/approve`, { form: {} });
      assert.equal(approved.status, 303);
      assert.equal(approved.location, `${s.url}/admin/approvals?done=approved`);
      assert.ok(!(await admin.get("/admin/approvals")).text.includes(`id="pending-${rp.clientId}"`), "gone from the queue");
      assert.equal((await s.app.container.clients.get(rp.clientId)).approval, "approved");

      const asked = await askPassport(rp, h);
      assert.equal(asked.error, null, `expected the consent page, got ${asked.page.url}`);
      assert.equal(asked.page.status, 200);
      assert.ok(asked.page.text.includes(`id="client-purpose"`), "the consent page shows the purpose");
      assert.ok(asked.page.text.includes(esc(PURPOSE)) && !asked.page.text.includes("<b>wine</b>"), "escaped");
      const shared = await shareFromConsent(h.agent, h.vaultKey, asked.page.url);
      const callback = await h.agent.follow(shared.redirect);
      const tokens = await redeem(rp.config, new URL(callback.url), asked.req);
      assert.ok(tokens.access_token);

      const changes = await s.app.container.clientActivity.changes(rp.clientId);
      assert.deepEqual({ ...changes[0], at: undefined }, { at: undefined, actor: adminId, via: "admin", action: "approve", fields: ["approval"] });
    });

    it("a forged approval without the CSRF token changes nothing", async () => {
      const rp = await pendingRp(s);
      const res = await admin.request("POST", `/admin/approvals/${rp.clientId}/approve`, { form: { _csrf: "forged" } });
      assert.equal(res.status, 403);
      assert.equal((await s.app.container.clients.get(rp.clientId)).approval, "pending");
    });

    it("rejects only with a reason; a rejected client stays refused and its developer sees why", async () => {
      const rp = await pendingRp(s);
      const empty = await admin.request("POST", `/admin/approvals/${rp.clientId}/reject`, { form: { reason: "  " } });
      assert.equal(empty.status, 400);
      assert.match(empty.text, /id="error-reason"[^>]*>say why/);
      assert.equal((await s.app.container.clients.get(rp.clientId)).approval, "pending");

      const rejected = await admin.request("POST", `/admin/approvals/${rp.clientId}/reject`, { form: { reason: "No <script> licence shown" } });
      assert.equal(rejected.status, 303);
      const view = await s.app.container.clients.get(rp.clientId);
      assert.deepEqual([view.approval, view.approvalReason], ["rejected", "No <script> licence shown"]);
      const page = await admin.get(`/admin/clients/${rp.clientId}`);
      assert.ok(page.text.includes(`Reason: ${esc("No <script> licence shown")}`));
      assert.equal((await askPassport(rp, h)).error?.error, "invalid_scope");
    });

    it("puts an approved client back in the queue when its owner adds a Passport scope; an admin's own edit does not", async () => {
      const rp = await pendingRp(s);
      const { clients } = s.app.container;
      await clients.approve(rp.clientId, { accountId: adminId, via: "admin" });
      const input = (await clients.get(rp.clientId)).input;
      // Same scopes: stays approved.
      assert.equal((await clients.update(rp.clientId, { ...input, name: "Wine Shop 2" }, { requireApproval: true, actor: { via: "console" } })).client.approval, "approved");
      const more = { ...input, scopes: [...input.scopes, "passport:address"] };
      assert.equal((await clients.update(rp.clientId, more, { requireApproval: true, actor: { via: "console" } })).client.approval, "pending");
      assert.equal((await askPassport(rp, h)).error?.error, "invalid_scope");
      await clients.approve(rp.clientId);
      const evenMore = { ...more, scopes: [...more.scopes, "passport:email"] };
      assert.equal((await clients.update(rp.clientId, evenMore)).client.approval, "approved", "no approval policy given: the admin's edit stands");
    });

    it("approves and rejects from the CLI, logged as CLI changes", async () => {
      const one = await pendingRp(s);
      const two = await pendingRp(s);
      const env = testEnv(db, { DATA_DIR: s.dataDir, LOG_LEVEL: "silent", ...(s.cfg.database.type === "postgres" ? { DATABASE_SCHEMA: s.cfg.database.schema } : {}) });
      const ok = await runCli(env, ["clients", "approve", one.clientId]);
      assert.equal(ok.code, 0, ok.stderr);
      const no = await runCli(env, ["clients", "reject", two.clientId, "--reason", "unclear purpose"]);
      assert.equal(no.code, 0, no.stderr);
      const missing = await runCli(env, ["clients", "reject", two.clientId]);
      assert.equal(missing.code, 1, "--reason is required");
      const { clients, clientActivity } = s.app.container;
      assert.equal((await clients.get(one.clientId)).approval, "approved");
      assert.deepEqual([(await clients.get(two.clientId)).approval, (await clients.get(two.clientId)).approvalReason], ["rejected", "unclear purpose"]);
      assert.deepEqual((await clientActivity.changes(two.clientId)).map((c) => [c.action, c.via, c.actor]), [["reject", "cli", null], ["create", "console", null]]);
      assert.equal((await askPassport(one, h)).error, null);
      assert.equal((await askPassport(two, h)).error?.error, "invalid_scope");
    });
  });
}
