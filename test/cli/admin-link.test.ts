// `passport admin-link` as an operator runs it (a child process with the server's environment):
// it prints a one-time link that makes the signed-in account opening it an administrator, once.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { createAccountMaterial } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { runCli } from "../helpers/cli.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, testEnv } from "../helpers/server.js";

pgNotice();
for (const db of databases()) {
  describe(`passport admin-link (${db})`, () => {
    it("prints a link that makes one signed-in account admin, once", async () => {
      const env = testEnv(db, { FIRST_USER_IS_ADMIN: "false", ISSUER: "https://passport.example" });
      // The server's first start creates the database; the CLI then uses it.
      const s = await startServer(db, { DATA_DIR: env.DATA_DIR!, FIRST_USER_IS_ADMIN: "false", ...(env.DATABASE_SCHEMA ? { DATABASE_SCHEMA: env.DATABASE_SCHEMA } : {}) });
      const printed = await runCli(env, ["admin-link", "--json", "--minutes", "30"]);
      assert.equal(printed.code, 0, printed.stderr);
      const { url, expires_at } = JSON.parse(printed.stdout) as { url: string; expires_at: string };
      assert.match(url, /^https:\/\/passport\.example\/account\/admin-link\?token=[A-Za-z0-9_-]{43}$/);
      const minutes = (Date.parse(expires_at) - Date.now()) / 60_000;
      assert.ok(minutes > 25 && minutes <= 30, `expires in ${minutes} minutes`);
      const human = await runCli(env, ["admin-link"]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /link: +https:\/\/passport\.example\/account\/admin-link\?token=/);

      try {
        const local = new URL(url);
        const use = async () => {
          const a = new Agent(s.url);
          await a.get("/signup");
          const { body } = await createAccountMaterial("a long enough password", TEST_KDF_ITERATIONS);
          assert.equal((await a.request("POST", "/api/signup", { json: { email: uniqueEmail("op"), ...body } })).status, 201);
          await a.get(local.pathname + local.search);
          const res = await a.request("POST", "/account/admin-link", { form: { token: local.searchParams.get("token")! } });
          return { res, admin: (await a.request("GET", "/api/account")).json().account.isAdmin as boolean };
        };
        const first = await use();
        assert.equal(first.res.status, 303);
        assert.equal(first.admin, true);
        const second = await use();
        assert.equal(second.res.status, 410);
        assert.equal(second.admin, false);
      } finally {
        await s.close();
        fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
      }
    });

    it("refuses a bad --minutes with one line on stderr", async () => {
      const env = testEnv(db);
      try {
        const r = await runCli(env, ["admin-link", "--new-database", "--minutes", "0"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /minutes from 1 to 10080/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      } finally {
        fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
      }
    });
  });
}
