// The instance keeps an administrator: the only admin can be neither demoted nor deleted (CLI or
// account page), and two admins demoting or deleting each other at the same moment, through two
// servers sharing one database, leave exactly one.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { authKeyFor, createHolder, type TestHolder } from "../helpers/accounts.js";
import { runCli } from "../helpers/cli.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";

const ROUNDS = 5;

async function signedInAgent(s: TestServer, h: TestHolder): Promise<Agent> {
  const agent = new Agent(s.url);
  await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: h.email } });
  const res = await agent.request("POST", "/api/session", { json: { email: h.email, authKey: await authKeyFor(h.password, pre.json().kdf) } });
  assert.equal(res.status, 200, res.text);
  return agent;
}

async function deleteRequest(s: TestServer, h: TestHolder) {
  const agent = await signedInAgent(s, h);
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: h.email } });
  const authKey = await authKeyFor(h.password, pre.json().kdf);
  return () => agent.request("POST", "/api/account/delete", { json: { authKey } });
}

pgNotice();
for (const db of databases()) {
  describe(`the last administrator (${db})`, () => {
    let a: TestServer;
    let b: TestServer;
    const admins = async () => (await a.app.container.accounts.list()).filter((x) => x.isAdmin).map((x) => x.id);

    before(async () => {
      a = await startServer(db, { LOG_LEVEL: "warn", FIRST_USER_IS_ADMIN: "false" }, { keepData: true });
      const shared = { LOG_LEVEL: "warn", FIRST_USER_IS_ADMIN: "false", DATA_DIR: a.dataDir, ...(db === "postgres" ? { DATABASE_SCHEMA: (a.cfg.database as { schema: string }).schema } : {}) };
      b = await startServer(db, shared);
    });
    after(async () => {
      await b.close();
      await a.close();
      fs.rmSync(a.dataDir, { recursive: true, force: true });
    });

    it("the only admin cannot delete their account nor be demoted; the CLI says why", async () => {
      const only = await createHolder(a.app.container, { admin: true });
      const holder = await createHolder(a.app.container);
      const env = { ...cliEnv(a), LOG_LEVEL: "silent" };
      for (const args of [["users", "demote", only.email], ["users", "delete", only.email]]) {
        const r = await runCli(env, args);
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stderr, /^error: This is the only administrator account, so you cannot .*Make another account an administrator first/);
      }
      const del = await (await deleteRequest(a, only))();
      assert.equal(del.status, 409, del.text);
      assert.match(del.json().detail, /only administrator account, so you cannot delete this account/);
      assert.deepEqual(await admins(), [only.id], "still the admin, still there");

      // With a second admin, the first may go; a holder who is not an admin may always be demoted (a no-op).
      await a.app.container.accounts.setAdmin(holder.id, false);
      await a.app.container.accounts.setAdmin(holder.id, true);
      const gone = await (await deleteRequest(a, only))();
      assert.equal(gone.status, 204, gone.text);
      assert.deepEqual(await admins(), [holder.id]);
    });

    it(`two admins demoting each other at once, on two servers, leave one (${ROUNDS} rounds)`, async () => {
      const x = await createHolder(a.app.container, { admin: true });
      const y = await createHolder(a.app.container, { admin: true });
      for (const id of await admins()) if (id !== x.id && id !== y.id) await a.app.container.accounts.setAdmin(id, false);
      for (let i = 0; i < ROUNDS; i++) {
        const results = await Promise.allSettled([a.app.container.accounts.setAdmin(y.id, false), b.app.container.accounts.setAdmin(x.id, false)]);
        assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, `round ${i}: ${JSON.stringify(results)}`);
        const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        assert.equal((refused.reason as { code?: string }).code, "last_admin", String(refused.reason));
        assert.equal((await admins()).length, 1, `round ${i}`);
        await a.app.container.accounts.setAdmin(x.id, true);
        await a.app.container.accounts.setAdmin(y.id, true);
      }

      // Both delete their accounts at once, one through each server: one goes, one is refused.
      const [dx, dy] = [await deleteRequest(a, x), await deleteRequest(b, y)];
      const answers = await Promise.all([dx(), dy()]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [204, 409], answers.map((r) => r.text).join("\n"));
      assert.equal((await admins()).length, 1);
    });
  });
}

/** The CLI's environment for the database server `s` uses. */
function cliEnv(s: TestServer): Record<string, string> {
  const env: Record<string, string> = { DATA_DIR: s.dataDir, KDF_ITERATIONS: "1000" };
  if (s.cfg.database.type === "postgres") {
    env.DATABASE_URL = process.env.TEST_DATABASE_URL!;
    env.DATABASE_SCHEMA = (s.cfg.database as { schema: string }).schema;
  }
  return env;
}
