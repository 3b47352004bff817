// Issue 8, findings 1, 3 and 9: limits that hold under parallel requests. Each test sends a burst
// of wrong guesses at once, as an attacker would, and counts how many reach argon2 (every
// PasswordHasher in this process is wrapped), not only the status codes. The client address comes
// from X-Forwarded-For (TRUST_PROXY), so each test has its own address.
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createAccountMaterial } from "../../src/crypto/index.js";
import { PasswordHasher } from "../../src/services/password-hasher.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { authKeyFor, createHolder, uniqueEmail, type TestHolder } from "../helpers/accounts.js";
import { Agent, type AgentResponse } from "../helpers/agent.js";

pgNotice();

const FREE = 3;
const IP_FREE = 10;
const SIGNUPS = 5;
const env = {
  LOGIN_FREE_FAILURES: String(FREE),
  LOGIN_IP_FREE_FAILURES: String(IP_FREE),
  LOGIN_WAIT_INCREMENT_SECONDS: "60",
  SIGNUP_PER_IP_PER_HOUR: String(SIGNUPS),
  TRUST_PROXY: "true",
};

/**
 * argon2 verifications and hashes run in this process (both servers of a test live here). Tests
 * use a cheap argon2 cost; a verification here takes a few milliseconds more, as the real cost
 * does, so that a burst overlaps the check the way it does in production.
 */
const argon2 = { verify: 0, hash: 0 };
const { verify, hash } = PasswordHasher.prototype;
PasswordHasher.prototype.verify = async function (...args) {
  argon2.verify++;
  await sleep(20);
  return verify.apply(this, args);
};
PasswordHasher.prototype.hash = function (...args) {
  argon2.hash++;
  return hash.apply(this, args);
};

let address = 0;
/** A browser at its own client address, with the CSRF token of the sign-in page. */
async function browser(base: string, ip = `10.9.${Math.floor(++address / 250)}.${address % 250}`): Promise<Agent & { ip: string }> {
  const agent = Object.assign(new Agent(base), { ip });
  const send = agent.request.bind(agent);
  agent.request = (method, url, opts = {}) => send(method, url, { ...opts, headers: { "x-forwarded-for": ip, ...opts.headers } });
  assert.equal((await agent.get("/signin")).status, 200);
  return agent;
}

const wrongKey = () => crypto.randomBytes(32).toString("base64url");

async function signIn(agent: Agent, email: string, password: string): Promise<AgentResponse> {
  const pre = await agent.request("POST", "/api/prelogin", { json: { email } });
  return agent.request("POST", "/api/session", { json: { email, authKey: await authKeyFor(password, pre.json().kdf) } });
}

/** Sends `n` requests at once; returns their statuses, counted. */
async function burst(n: number, send: (i: number) => Promise<AgentResponse>): Promise<{ counts: Record<number, number>; responses: AgentResponse[] }> {
  const responses = await Promise.all(Array.from({ length: n }, (_, i) => send(i)));
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return { counts, responses };
}

function assertLocked(responses: AgentResponse[]): void {
  for (const r of responses.filter((x) => x.status === 429)) {
    assert.equal(r.json().code, "too_many_attempts");
    assert.ok(Number(r.headers.get("retry-after")) > 0, "Retry-After");
  }
}

for (const db of databases()) {
  describe(`limits under parallel requests (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;

    before(async () => {
      s = await startServer(db, env);
    });
    after(() => s.close());
    beforeEach(async () => {
      holder = await createHolder(s.app.container);
      argon2.verify = 0;
      argon2.hash = 0;
    });

    it("60 parallel wrong sign-ins for one account: exactly LOGIN_FREE_FAILURES reach argon2", async () => {
      const agent = await browser(s.url);
      const { counts, responses } = await burst(60, () => agent.request("POST", "/api/session", { json: { email: holder.email, authKey: wrongKey() } }));
      assert.equal(argon2.verify, FREE, "argon2 verifications");
      assert.deepEqual(counts, { 401: FREE, 429: 60 - FREE });
      assertLocked(responses);
      assert.equal((await signIn(agent, holder.email, holder.password)).status, 429, "the right password waits too");
    });

    it("an unknown email is limited exactly like a known one", async () => {
      const agent = await browser(s.url);
      const { counts } = await burst(30, () => agent.request("POST", "/api/session", { json: { email: "nobody-burst@example.test", authKey: wrongKey() } }));
      assert.equal(argon2.verify, FREE);
      assert.deepEqual(counts, { 401: FREE, 429: 30 - FREE });
    });

    it("40 parallel wrong sign-ins on 40 accounts from one address: exactly LOGIN_IP_FREE_FAILURES reach argon2", async () => {
      const agent = await browser(s.url);
      const { counts, responses } = await burst(40, (i) => agent.request("POST", "/api/session", { json: { email: `spray-${i}@example.test`, authKey: wrongKey() } }));
      assert.equal(argon2.verify, IP_FREE, "argon2 verifications");
      assert.deepEqual(counts, { 401: IP_FREE, 429: 40 - IP_FREE });
      assertLocked(responses);
    });

    it("parallel recovery guesses (start and finish) share the account's allowance", async () => {
      const agent = await browser(s.url);
      const next = (await createAccountMaterial("a new password", TEST_KDF_ITERATIONS)).body;
      const { counts, responses } = await burst(30, (i) =>
        i % 2
          ? agent.request("POST", "/api/recovery/start", { json: { email: holder.email, recoveryAuthKey: wrongKey() } })
          : agent.request("POST", "/api/recovery/finish", { json: { email: holder.email, recoveryAuthKey: wrongKey(), kdf: next.kdf, authKey: next.authKey, wrappedVaultKey: next.wrappedVaultKey } }),
      );
      assert.equal(argon2.verify, FREE);
      assert.deepEqual(counts, { 401: FREE, 429: 30 - FREE });
      assertLocked(responses);
    });

    for (const action of ["password change", "account deletion"] as const) {
      it(`parallel wrong passwords for ${action === "password change" ? "a" : "an"} ${action}: exactly LOGIN_FREE_FAILURES reach argon2`, async () => {
        const agent = await browser(s.url);
        assert.equal((await signIn(agent, holder.email, holder.password)).status, 200);
        argon2.verify = 0;
        const next = (await createAccountMaterial("a new password", TEST_KDF_ITERATIONS)).body;
        const send = () =>
          action === "password change"
            ? agent.request("POST", "/api/account/password", { json: { currentAuthKey: wrongKey(), kdf: next.kdf, authKey: next.authKey, wrappedVaultKey: next.wrappedVaultKey } })
            : agent.request("POST", "/api/account/delete", { json: { authKey: wrongKey() } });
        const { counts, responses } = await burst(30, send);
        assert.equal(argon2.verify, FREE);
        assert.deepEqual(counts, { 400: FREE, 429: 30 - FREE });
        assertLocked(responses);
        assert.ok(await s.app.container.accounts.get(holder.id), "the account is still there");
      });
    }

    it("parallel sign-ups from one address: SIGNUP_PER_IP_PER_HOUR get through, taken emails (409) count too", async () => {
      const agent = await browser(s.url);
      const bodies = await Promise.all(Array.from({ length: 12 }, () => createAccountMaterial("a password", TEST_KDF_ITERATIONS)));
      // Probing taken emails: every probe counts against the address.
      const { counts, responses } = await burst(12, (i) => agent.request("POST", "/api/signup", { json: { email: holder.email, ...bodies[i]!.body } }));
      assert.deepEqual(counts, { 409: SIGNUPS, 429: 12 - SIGNUPS });
      assert.equal(argon2.hash, 2 * SIGNUPS, "two argon2 hashes per admitted sign-up, none for the refused");
      assertLocked(responses);
      const refused = responses.find((r) => r.status === 429)!;
      assert.match(refused.json().detail, /sign-ups from this address/);
      const fresh = await agent.request("POST", "/api/signup", { json: { email: uniqueEmail("late"), ...bodies[0]!.body } });
      assert.equal(fresh.status, 429, "a new email from the same address waits too");
      const elsewhere = await browser(s.url);
      assert.equal((await elsewhere.request("POST", "/api/signup", { json: { email: uniqueEmail("other"), ...bodies[1]!.body } })).status, 201);
    });

    describe("device cookies", () => {
      let holderBrowser: Agent & { ip: string };

      beforeEach(async () => {
        holderBrowser = await browser(s.url);
        assert.equal((await signIn(holderBrowser, holder.email, holder.password)).status, 200);
        assert.ok(holderBrowser.cookie("passport.device"), "a device cookie after a successful sign-in");
        // Someone else fails on the holder's email until it is locked.
        const attacker = await browser(s.url);
        const { counts } = await burst(10, () => attacker.request("POST", "/api/session", { json: { email: holder.email, authKey: wrongKey() } }));
        assert.deepEqual(counts, { 401: FREE, 429: 10 - FREE });
      });

      it("the holder's browser still signs in and recovers while others are locked out", async () => {
        assert.equal((await signIn(holderBrowser, holder.email, holder.password)).status, 200);
        const start = await holderBrowser.request("POST", "/api/recovery/start", { json: { email: holder.email, recoveryAuthKey: wrongKey() } });
        assert.equal(start.status, 401, "a recovery attempt from the device is checked, not locked");
        // The same address without the cookie is locked out like everyone else.
        const sameAddress = await browser(s.url, holderBrowser.ip);
        assert.equal((await signIn(sameAddress, holder.email, holder.password)).status, 429);
      });

      it("a forged, altered or foreign device cookie does not help", async () => {
        const value = holderBrowser.cookie("passport.device")!;
        const sig = holderBrowser.cookie("passport.device.sig")!;
        const [accountId] = value.split(".");
        const forged = await browser(s.url);
        forged.setCookie("passport.device", `${accountId}.${crypto.randomBytes(16).toString("base64url")}`);
        forged.setCookie("passport.device.sig", sig);
        assert.equal((await signIn(forged, holder.email, holder.password)).status, 429, "a made-up device id under a copied signature");
        const unsigned = await browser(s.url);
        unsigned.setCookie("passport.device", value);
        assert.equal((await signIn(unsigned, holder.email, holder.password)).status, 429, "a value without its signature");
        // The attacker's own device cookie, validly signed, names another account.
        const own = await createHolder(s.app.container);
        const attacker = await browser(s.url);
        assert.equal((await signIn(attacker, own.email, own.password)).status, 200);
        assert.ok(attacker.cookie("passport.device"));
        assert.equal((await signIn(attacker, holder.email, holder.password)).status, 429, "another account's device cookie");
      });

      it("failures from the device lock only that device", async () => {
        argon2.verify = 0;
        const { counts } = await burst(20, () => holderBrowser.request("POST", "/api/session", { json: { email: holder.email, authKey: wrongKey() } }));
        assert.equal(argon2.verify, FREE);
        assert.deepEqual(counts, { 401: FREE, 429: 20 - FREE });
        assert.equal((await signIn(holderBrowser, holder.email, holder.password)).status, 429);
        const other = await browser(s.url);
        other.setCookie("passport.device", holderBrowser.cookie("passport.device")!);
        other.setCookie("passport.device.sig", holderBrowser.cookie("passport.device.sig")!);
        assert.equal((await signIn(other, holder.email, holder.password)).status, 429, "a copy of the cookie is the same device");
      });
    });
  });
}

describe("two servers sharing one PostgreSQL schema", { skip: !process.env.TEST_DATABASE_URL && "needs TEST_DATABASE_URL" }, () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    // One cluster: the same database schema and the same key sealing its secrets.
    const shared = { ...env, KEY_ENCRYPTION_SECRET: crypto.randomBytes(32).toString("base64url") };
    a = await startServer("postgres", shared);
    b = await startServer("postgres", { ...shared, DATABASE_SCHEMA: a.cfg.database.type === "postgres" ? a.cfg.database.schema : "" });
  });
  after(async () => {
    await b.close();
    await a.close();
  });
  afterEach(() => {
    argon2.verify = 0;
  });

  it("60 parallel wrong sign-ins split over both: LOGIN_FREE_FAILURES in total reach argon2", async () => {
    const holder = await createHolder(a.app.container);
    assert.ok(await b.app.container.accounts.getByEmail(holder.email), "both servers see the account");
    const agents = [await browser(a.url), await browser(b.url)];
    argon2.verify = 0;
    const { counts } = await burst(60, (i) => agents[i % 2]!.request("POST", "/api/session", { json: { email: holder.email, authKey: wrongKey() } }));
    assert.equal(argon2.verify, FREE);
    assert.deepEqual(counts, { 401: FREE, 429: 60 - FREE });
  });

  it("40 parallel wrong sign-ins from one address over both: LOGIN_IP_FREE_FAILURES in total", async () => {
    const ip = "10.200.0.1";
    const agents = [await browser(a.url, ip), await browser(b.url, ip)];
    argon2.verify = 0;
    const { counts } = await burst(40, (i) => agents[i % 2]!.request("POST", "/api/session", { json: { email: `both-${i}@example.test`, authKey: wrongKey() } }));
    assert.equal(argon2.verify, IP_FREE);
    assert.deepEqual(counts, { 401: IP_FREE, 429: 40 - IP_FREE });
  });
});
