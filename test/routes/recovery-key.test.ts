// The recovery key over HTTP (issue 11): an account is usable only once its holder confirms the
// key; until then the vault API and sign-in to apps are refused. A new key made from the account
// waits until confirmed, then replaces the old one at once; parallel requests cannot mix them up.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAccountMaterial, derivePasswordKeys, deriveRecoveryKeys, generateRecoveryKey, openVaultWithPassword, openVaultWithRecoveryKey, passwordMaterial, wrapVaultKey } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { createHolder, uniqueEmail } from "../helpers/accounts.js";
import { authRequest, registerRp, signIn } from "../helpers/oidc.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { confirmRecoveryKey } from "../helpers/vault.js";

pgNotice();
const PASSWORD = "a long enough password";

/** A redirect's target without the origin. */
const local = (location: string | null) => (location ? new URL(location).pathname + new URL(location).search : null);

async function newAccount(s: TestServer) {
  const agent = new Agent(s.url);
  await agent.get("/signup");
  const email = uniqueEmail("rk");
  const m = await createAccountMaterial(PASSWORD, TEST_KDF_ITERATIONS);
  const res = await agent.request("POST", "/api/signup", { json: { email, ...m.body } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json().account.recoveryKeyConfirmed, false);
  return { agent, email, ...m };
}

/** A new recovery key as /recovery-key makes it: the password opens the vault key, the new key wraps it. */
async function makeNewKey(agent: Agent, password = PASSWORD) {
  const km = (await agent.get("/api/account")).json();
  const { authKey } = await derivePasswordKeys(password, km.kdf);
  const vaultKey = await openVaultWithPassword(password, km.kdf, km.wrappedVaultKey, true);
  const recoveryKey = generateRecoveryKey();
  const r = await deriveRecoveryKeys(recoveryKey);
  const body = { currentAuthKey: authKey, recoveryAuthKey: r.authKey, recoveryWrappedVaultKey: await wrapVaultKey(vaultKey, r.kek, "recovery") };
  return { recoveryKey, body };
}

async function recoveryStart(s: TestServer, email: string, recoveryKey: string): Promise<number> {
  const a = new Agent(s.url);
  await a.get("/recover");
  const { authKey } = await deriveRecoveryKeys(recoveryKey);
  return (await a.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: authKey } })).status;
}

for (const db of databases()) {
  describe(`recovery key confirmation and renewal (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOGIN_FREE_FAILURES: "50", LOGIN_IP_FREE_FAILURES: "500" });
    });
    after(() => s.close());

    it("refuses the vault and sends pages to /recovery-key until the key is confirmed", async () => {
      const { agent, recoveryKey } = await newAccount(s);
      const vault = await agent.get("/api/vault");
      assert.equal(vault.status, 403);
      assert.equal(vault.json().code, "recovery_key_unconfirmed");
      const page = await agent.get("/vault");
      assert.equal(page.status, 302);
      assert.equal(local(page.location), "/recovery-key?next=%2Fvault");
      // Reloading the sign-up page resumes there instead of offering a second account.
      assert.equal(local((await agent.get("/signup")).location), "/recovery-key?next=%2F");
      assert.match((await agent.get("/recovery-key")).text, /Finish setting up your account/);

      const wrong = await deriveRecoveryKeys(generateRecoveryKey());
      const refused = await agent.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: wrong.authKey } });
      assert.equal(refused.status, 400);
      assert.equal(refused.json().fields.recoveryKey, "does not match");
      assert.equal((await agent.get("/api/vault")).status, 403);

      await confirmRecoveryKey(agent, recoveryKey);
      assert.equal((await agent.get("/api/vault")).status, 200);
      assert.equal((await agent.get("/api/account")).json().account.recoveryKeyConfirmed, true);
      assert.match((await agent.get("/recovery-key")).text, /Make a new recovery key/);
    });

    it("does not sign an unconfirmed account in to an app; after confirming, the flow goes on", async () => {
      const holder = await createHolder(s.app.container, { unconfirmed: true });
      const rp = await registerRp(s);
      const agent = new Agent(s.url);
      await agent.get("/signin");
      const session = await signIn(agent, holder);
      assert.equal(session.json().account.recoveryKeyConfirmed, false);
      const req = await authRequest(rp.config);
      const landed = await agent.follow(req.url.toString());
      // The interaction sends the holder to confirm a recovery key first, and back there after.
      const at = new URL(landed.url);
      assert.equal(at.pathname, "/recovery-key");
      assert.match(at.searchParams.get("next")!, /^\/interaction\/[\w-]+$/);
      assert.match(landed.text, /Finish setting up your account/);
      const uid = at.searchParams.get("next")!.split("/")[2]!;

      const fresh = await makeNewKey(agent, holder.password);
      assert.equal((await agent.request("POST", "/api/account/recovery-key", { json: fresh.body })).status, 204);
      await confirmRecoveryKey(agent, fresh.recoveryKey);
      const back = await agent.follow(`/interaction/${uid}`);
      assert.notEqual(new URL(back.url).pathname, "/recovery-key");
      assert.ok(back.status === 200 || new URL(back.url).origin !== new URL(s.url).origin, `went on: ${back.status} ${back.url}`);
      // The key the operator handed over (from `passport users create`) was replaced by the holder's own.
      assert.equal(await recoveryStart(s, holder.email, holder.recoveryKey), 401);
      assert.equal(await recoveryStart(s, holder.email, fresh.recoveryKey), 200);
    });

    it("a new key needs the password, waits for confirmation, then replaces the old key at once", async () => {
      const { agent, email, recoveryKey, vaultKey } = await newAccount(s);
      await confirmRecoveryKey(agent, recoveryKey);
      const fresh = await makeNewKey(agent);
      const { authKey: wrongAuth } = await derivePasswordKeys("not the password", (await agent.get("/api/account")).json().kdf);
      const badPassword = await agent.request("POST", "/api/account/recovery-key", { json: { ...fresh.body, currentAuthKey: wrongAuth } });
      assert.equal(badPassword.status, 400);
      assert.equal((await agent.request("POST", "/api/account/recovery-key", { json: { currentAuthKey: fresh.body.currentAuthKey } })).status, 400);
      assert.equal((await new Agent(s.url).request("POST", "/api/account/recovery-key", { json: fresh.body })).status, 403, "no CSRF token, no session");

      assert.equal((await agent.request("POST", "/api/account/recovery-key", { json: fresh.body })).status, 204);
      // Not confirmed yet: the old key still opens the vault, the new one not yet.
      assert.equal(await recoveryStart(s, email, recoveryKey), 200);
      assert.equal(await recoveryStart(s, email, fresh.recoveryKey), 401);
      assert.equal((await agent.get("/api/vault")).status, 200, "a waiting new key does not lock the vault");

      await confirmRecoveryKey(agent, fresh.recoveryKey);
      assert.equal(await recoveryStart(s, email, recoveryKey), 401);
      const r = new Agent(s.url);
      await r.get("/recover");
      const { authKey } = await deriveRecoveryKeys(fresh.recoveryKey);
      const start = await r.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: authKey } });
      const opened = await openVaultWithRecoveryKey(fresh.recoveryKey, start.json().recoveryWrappedVaultKey);
      assert.deepEqual(new Uint8Array(await crypto.subtle.exportKey("raw", opened)), new Uint8Array(await crypto.subtle.exportKey("raw", vaultKey)));
      // Confirming the same key again finds nothing waiting.
      const again = await agent.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: authKey } });
      assert.equal(again.status, 400);
    });

    it("a password reset with the recovery key confirms the account and drops a new key still waiting", async () => {
      const { agent, email, recoveryKey } = await newAccount(s);
      const waiting = await makeNewKey(agent);
      assert.equal((await agent.request("POST", "/api/account/recovery-key", { json: waiting.body })).status, 204);
      const r = new Agent(s.url);
      await r.get("/recover");
      const { authKey } = await deriveRecoveryKeys(recoveryKey);
      const start = await r.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: authKey } });
      const vaultKey = await openVaultWithRecoveryKey(recoveryKey, start.json().recoveryWrappedVaultKey);
      const next = await passwordMaterial("a brand new password", TEST_KDF_ITERATIONS, vaultKey);
      assert.equal((await r.request("POST", "/api/recovery/finish", { json: { email, recoveryAuthKey: authKey, ...next } })).status, 204);
      assert.equal((await r.get("/api/vault")).status, 200, "whoever used the key has kept it");
      const { authKey: waitingAuth } = await deriveRecoveryKeys(waiting.recoveryKey);
      assert.equal((await r.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: waitingAuth } })).status, 400);
      assert.equal(await recoveryStart(s, email, recoveryKey), 200);
    });

    it("two new keys made in parallel: only the last one stored can be confirmed, and exactly once", async () => {
      const { agent, email, recoveryKey } = await newAccount(s);
      await confirmRecoveryKey(agent, recoveryKey);
      const keys = await Promise.all([makeNewKey(agent), makeNewKey(agent), makeNewKey(agent)]);
      const made = await Promise.all(keys.map((k) => agent.request("POST", "/api/account/recovery-key", { json: k.body })));
      assert.deepEqual(made.map((r) => r.status), [204, 204, 204]);
      const auths = await Promise.all(keys.map(async (k) => (await deriveRecoveryKeys(k.recoveryKey)).authKey));
      const confirms = await Promise.all(auths.map((a) => agent.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: a } })));
      const won = confirms.map((r, i) => (r.status === 204 ? i : -1)).filter((i) => i >= 0);
      assert.equal(won.length, 1, `statuses ${confirms.map((r) => r.status)}`);
      const starts = await Promise.all([recoveryKey, ...keys.map((k) => k.recoveryKey)].map((k) => recoveryStart(s, email, k)));
      assert.deepEqual(starts, [401, ...keys.map((_, i) => (i === won[0] ? 200 : 401))]);
    });
  });
}
