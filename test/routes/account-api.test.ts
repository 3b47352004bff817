// The account JSON API end to end over HTTP: the browser's recipes from src/crypto, the server's
// answers, and bad input on every endpoint (a clear 4xx naming the field, never a 500).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAccountMaterial, derivePasswordKeys, deriveRecoveryKeys, openVaultWithPassword, openVaultWithRecoveryKey, passwordMaterial } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { databases, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { uniqueEmail } from "../helpers/accounts.js";

const PASSWORD = "a long enough password";

async function signUp(agent: Agent, email: string, password = PASSWORD) {
  await agent.get("/signup");
  const m = await createAccountMaterial(password, TEST_KDF_ITERATIONS);
  const res = await agent.request("POST", "/api/signup", { json: { email, ...m.body } });
  return { res, ...m };
}

async function signIn(agent: Agent, email: string, password: string) {
  if (!agent.csrf) await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email } });
  const { authKey } = await derivePasswordKeys(password, pre.json().kdf);
  return agent.request("POST", "/api/session", { json: { email, authKey } });
}

for (const db of databases()) {
  describe(`account API (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { LOGIN_FREE_FAILURES: "50", LOGIN_IP_FREE_FAILURES: "500" });
    });
    after(() => s.close());

    it("signs up, signs in with the same keys, and opens the vault key", async () => {
      const agent = new Agent(s.url);
      const email = uniqueEmail();
      const { res, vaultKey } = await signUp(agent, email);
      assert.equal(res.status, 201);
      assert.equal(res.json().account.email, email);
      const home = await agent.get("/account");
      assert.match(home.text, /Your account/);

      const other = new Agent(s.url);
      await other.get("/signin");
      const si = await signIn(other, email, PASSWORD);
      assert.equal(si.status, 200);
      const opened = await openVaultWithPassword(PASSWORD, (await other.request("GET", "/api/account")).json().kdf, si.json().wrappedVaultKey, true);
      assert.deepEqual(
        new Uint8Array(await crypto.subtle.exportKey("raw", opened)),
        new Uint8Array(await crypto.subtle.exportKey("raw", vaultKey)),
      );
    });

    it("treats emails as unique regardless of case", async () => {
      const agent = new Agent(s.url);
      const email = uniqueEmail("CaseTest");
      assert.equal((await signUp(agent, email)).res.status, 201);
      const again = await signUp(new Agent(s.url), email.toUpperCase());
      assert.equal(again.res.status, 409);
      assert.equal(again.res.json().fields.email, "already registered");
      const si = await signIn(new Agent(s.url), email.toLowerCase(), PASSWORD);
      assert.equal(si.status, 200);
    });

    it("refuses a wrong password and an unknown email with the same answer", async () => {
      const email = uniqueEmail();
      await signUp(new Agent(s.url), email);
      const agent = new Agent(s.url);
      await agent.get("/signin");
      const wrong = await signIn(agent, email, "not the password at all");
      const unknown = await signIn(agent, uniqueEmail("nobody"), "not the password at all");
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(wrong.json(), unknown.json());
    });

    it("answers prelogin for unknown emails with stable fake parameters", async () => {
      const agent = new Agent(s.url);
      await agent.get("/signin");
      const email = uniqueEmail("ghost");
      const a = (await agent.request("POST", "/api/prelogin", { json: { email } })).json();
      const b = (await agent.request("POST", "/api/prelogin", { json: { email: email.toUpperCase() } })).json();
      assert.deepEqual(a, b);
      assert.equal(a.kdf.alg, "pbkdf2-sha256");
      assert.equal(a.kdf.iterations, TEST_KDF_ITERATIONS);
    });

    it("changes the password by re-wrapping the same vault key, and signs out other sessions", async () => {
      const email = uniqueEmail();
      const first = new Agent(s.url);
      const { vaultKey } = await signUp(first, email);
      const second = new Agent(s.url);
      await second.get("/signin");
      assert.equal((await signIn(second, email, PASSWORD)).status, 200);

      const km = (await first.request("GET", "/api/account")).json();
      const { authKey: currentAuthKey } = await derivePasswordKeys(PASSWORD, km.kdf);
      const current = await openVaultWithPassword(PASSWORD, km.kdf, km.wrappedVaultKey, true);
      const next = await passwordMaterial("the new password 123", TEST_KDF_ITERATIONS, current);
      const res = await first.request("POST", "/api/account/password", { json: { currentAuthKey, ...next } });
      assert.equal(res.status, 204);

      assert.equal((await second.request("GET", "/api/account")).status, 401, "the other device is signed out");
      assert.equal((await first.request("GET", "/api/account")).status, 200, "this device stays signed in");
      const fresh = new Agent(s.url);
      await fresh.get("/signin");
      assert.equal((await signIn(fresh, email, PASSWORD)).status, 401);
      const si = await signIn(fresh, email, "the new password 123");
      assert.equal(si.status, 200);
      const km2 = (await fresh.request("GET", "/api/account")).json();
      const reopened = await openVaultWithPassword("the new password 123", km2.kdf, si.json().wrappedVaultKey, true);
      assert.deepEqual(new Uint8Array(await crypto.subtle.exportKey("raw", reopened)), new Uint8Array(await crypto.subtle.exportKey("raw", vaultKey)));
    });

    it("refuses a password change with a wrong current password", async () => {
      const agent = new Agent(s.url);
      const { vaultKey } = await signUp(agent, uniqueEmail());
      const km = (await agent.request("GET", "/api/account")).json();
      const { authKey: wrongKey } = await derivePasswordKeys("wrong password!!", km.kdf);
      const next = await passwordMaterial("another new password", TEST_KDF_ITERATIONS, vaultKey);
      const res = await agent.request("POST", "/api/account/password", { json: { currentAuthKey: wrongKey, ...next } });
      assert.equal(res.status, 400);
      assert.ok(res.json().fields.currentPassword);
    });

    it("resets a forgotten password with the recovery key and keeps the vault key", async () => {
      const email = uniqueEmail();
      const { recoveryKey, vaultKey } = await signUp(new Agent(s.url), email);
      const agent = new Agent(s.url);
      await agent.get("/recover");
      const { authKey: recoveryAuthKey } = await deriveRecoveryKeys(recoveryKey);
      const start = await agent.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey } });
      assert.equal(start.status, 200);
      const opened = await openVaultWithRecoveryKey(recoveryKey, start.json().recoveryWrappedVaultKey);
      const next = await passwordMaterial("recovered password!", TEST_KDF_ITERATIONS, opened);
      assert.equal((await agent.request("POST", "/api/recovery/finish", { json: { email, recoveryAuthKey, ...next } })).status, 204);
      assert.equal((await agent.request("GET", "/api/account")).status, 200, "recovery signs this browser in");

      const fresh = new Agent(s.url);
      await fresh.get("/signin");
      const si = await signIn(fresh, email, "recovered password!");
      assert.equal(si.status, 200);
      const km = (await fresh.request("GET", "/api/account")).json();
      const reopened = await openVaultWithPassword("recovered password!", km.kdf, si.json().wrappedVaultKey, true);
      assert.deepEqual(new Uint8Array(await crypto.subtle.exportKey("raw", reopened)), new Uint8Array(await crypto.subtle.exportKey("raw", vaultKey)));
    });

    it("refuses a wrong recovery key", async () => {
      const email = uniqueEmail();
      await signUp(new Agent(s.url), email);
      const other = await createAccountMaterial("whatever password", TEST_KDF_ITERATIONS);
      const agent = new Agent(s.url);
      await agent.get("/recover");
      const res = await agent.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: other.body.recoveryAuthKey } });
      assert.equal(res.status, 401);
      assert.match(res.json().detail, /recovery key is wrong/);
    });

    it("deletes the account only with the right password", async () => {
      const email = uniqueEmail();
      const agent = new Agent(s.url);
      await signUp(agent, email);
      const km = (await agent.request("GET", "/api/account")).json();
      const { authKey: wrong } = await derivePasswordKeys("wrong password!!", km.kdf);
      assert.equal((await agent.request("POST", "/api/account/delete", { json: { authKey: wrong } })).status, 400);
      const { authKey } = await derivePasswordKeys(PASSWORD, km.kdf);
      assert.equal((await agent.request("POST", "/api/account/delete", { json: { authKey } })).status, 204);
      assert.equal((await agent.request("GET", "/api/account")).status, 401);
      assert.equal(await s.app.container.accounts.getByEmail(email), null);
      const fresh = new Agent(s.url);
      await fresh.get("/signin");
      assert.equal((await signIn(fresh, email, PASSWORD)).status, 401);
    });

    it("signs out: the session cookie no longer works", async () => {
      const agent = new Agent(s.url);
      await signUp(agent, uniqueEmail());
      assert.equal((await agent.request("POST", "/api/signout", { json: {} })).status, 204);
      assert.equal((await agent.request("GET", "/api/account")).status, 401);
    });

    it("refuses sign-ups whose KDF is weaker than configured", async () => {
      const agent = new Agent(s.url);
      await agent.get("/signup");
      const m = await createAccountMaterial(PASSWORD, TEST_KDF_ITERATIONS - 1);
      const res = await agent.request("POST", "/api/signup", { json: { email: uniqueEmail(), ...m.body } });
      assert.equal(res.status, 400);
      assert.ok(res.json().fields["kdf.iterations"]);
    });

    describe("bad input", () => {
      const valid = async () => (await createAccountMaterial(PASSWORD, TEST_KDF_ITERATIONS)).body;
      const cases: [string, string, (v: Awaited<ReturnType<typeof valid>>) => unknown, string][] = [
        ["/api/prelogin", "missing email", () => ({}), "email"],
        ["/api/prelogin", "not an email", () => ({ email: "nope" }), "email"],
        ["/api/signup", "bad authKey", (v) => ({ ...v, email: uniqueEmail(), authKey: "short" }), "authKey"],
        ["/api/signup", "bad wrapped key", (v) => ({ ...v, email: uniqueEmail(), wrappedVaultKey: "v2.x.y" }), "wrappedVaultKey"],
        ["/api/signup", "bad kdf", (v) => ({ ...v, email: uniqueEmail(), kdf: { alg: "md5", iterations: 1, salt: "x" } }), "kdf.alg"],
        ["/api/signup", "array body", () => [1, 2], "_"],
        ["/api/session", "missing authKey", () => ({ email: "a@example.test" }), "authKey"],
        ["/api/session", "number email", () => ({ email: 5, authKey: "A".repeat(43) }), "email"],
        ["/api/recovery/start", "missing recovery key", () => ({ email: "a@example.test" }), "recoveryAuthKey"],
        ["/api/recovery/finish", "missing credentials", () => ({ email: "a@example.test", recoveryAuthKey: "A".repeat(43) }), "kdf"],
      ];
      for (const [path, what, body, fieldName] of cases) {
        it(`${path}: ${what} → 400 naming ${fieldName}`, async () => {
          const agent = new Agent(s.url);
          await agent.get("/signup");
          const res = await agent.request("POST", path, { json: body(await valid()) });
          assert.equal(res.status, 400, res.text);
          assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
          assert.ok(fieldName in res.json().fields, JSON.stringify(res.json()));
        });
      }

      it("invalid JSON → 400 problem", async () => {
        const agent = new Agent(s.url);
        await agent.get("/signup");
        const res = await fetch(`${s.url}/api/prelogin`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": agent.csrf, cookie: `passport.csrf=${agent.cookie("passport.csrf")}; passport.csrf.sig=${agent.cookie("passport.csrf.sig")}` },
          body: "{not json",
        });
        assert.equal(res.status, 400);
        assert.equal((await res.json()).code, "invalid_request");
      });

      it("a body over the limit → 413, not 500", async () => {
        const agent = new Agent(s.url);
        await agent.get("/signup");
        const res = await agent.request("POST", "/api/prelogin", { json: { email: "a@example.test", pad: "x".repeat(300_000) } });
        assert.equal(res.status, 413);
      });

      it("a POST without the CSRF token → 403", async () => {
        const agent = new Agent(s.url);
        await agent.get("/signup");
        const res = await agent.request("POST", "/api/prelogin", { json: { email: "a@example.test" }, headers: { "x-csrf-token": "forged" } });
        assert.equal(res.status, 403);
        assert.equal(res.json().code, "csrf");
      });

      it("account endpoints need a session → 401", async () => {
        const agent = new Agent(s.url);
        await agent.get("/");
        assert.equal((await agent.request("GET", "/api/account")).status, 401);
        assert.equal((await agent.request("POST", "/api/account/password", { json: {} })).status, 401);
        assert.equal((await agent.request("POST", "/api/account/delete", { json: {} })).status, 401);
      });

      it("a forged session cookie is ignored", async () => {
        const agent = new Agent(s.url);
        await agent.get("/");
        const res = await fetch(`${s.url}/api/account`, { headers: { cookie: "passport.sid=forged; passport.sid.sig=forged" } });
        assert.equal(res.status, 401);
      });
    });

    it("never logs keys, wrapped keys or emails", () => {
      const joined = s.logLines.join("\n");
      assert.doesNotMatch(joined, /v1\.[A-Za-z0-9_-]{16}\./, "no wrapped key in logs");
      assert.doesNotMatch(joined, /@example\.test/, "no email in logs");
    });
  });
}
