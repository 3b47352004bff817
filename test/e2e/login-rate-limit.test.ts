// Scenario 15: failed sign-ins through the HTTP API, as a browser (or an attacker) sends them. An
// unknown email is indistinguishable from a wrong password, before and after the wait starts.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { authKeyFor, createHolder, uniqueEmail, type TestHolder } from "../helpers/accounts.js";
import { Agent, type AgentResponse } from "../helpers/agent.js";

pgNotice();

const FREE_FAILURES = 3;

/** One sign-in attempt with the authKey the browser would derive from `password`. */
async function attempt(agent: Agent, email: string, password: string): Promise<AgentResponse> {
  const pre = await agent.request("POST", "/api/prelogin", { json: { email } });
  assert.equal(pre.status, 200);
  const authKey = await authKeyFor(password, pre.json().kdf);
  return agent.request("POST", "/api/session", { json: { email, authKey } });
}

/** A browser that has loaded the sign-in page (and so holds a CSRF token). */
async function browser(s: TestServer): Promise<Agent> {
  const agent = new Agent(s.url);
  assert.equal((await agent.get("/signin")).status, 200);
  return agent;
}

for (const db of databases()) {
  describe(`sign-in rate limiting over HTTP (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;

    before(async () => {
      s = await startServer(db, { LOGIN_FREE_FAILURES: String(FREE_FAILURES), LOGIN_WAIT_INCREMENT_SECONDS: "60" });
      holder = await createHolder(s.app.container);
    });
    after(() => s.close());

    it("answers an unknown email exactly like a wrong password", async () => {
      const agent = await browser(s);
      const other = await createHolder(s.app.container);
      const wrong = await attempt(agent, other.email, "not the password");
      const unknown = await attempt(agent, uniqueEmail("nobody"), "not the password");
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, wrong.status);
      assert.deepEqual(unknown.json(), wrong.json());
      assert.equal(wrong.json().code, "invalid_credentials");
      assert.equal(unknown.headers.get("retry-after"), null);
    });

    it("after the free failures, answers 429 with Retry-After, the same for an existing and an unknown email", async () => {
      const agent = await browser(s);
      const ghost = uniqueEmail("ghost");
      const statuses = { existing: [] as number[], unknown: [] as number[] };
      const locked: Record<keyof typeof statuses, AgentResponse | undefined> = { existing: undefined, unknown: undefined };
      for (const [who, email] of [["existing", holder.email], ["unknown", ghost]] as const) {
        for (let i = 0; i < FREE_FAILURES + 1; i++) {
          const res = await attempt(agent, email, `wrong password ${i}`);
          statuses[who].push(res.status);
          if (res.status === 429) locked[who] = res;
        }
      }
      // Each of the free failures is answered; the attempt after them waits.
      const expected = [...Array(FREE_FAILURES).fill(401), 429];
      assert.deepEqual(statuses.existing, expected);
      assert.deepEqual(statuses.unknown, expected);

      const [a, b] = [locked.existing!, locked.unknown!];
      for (const res of [a, b]) {
        const wait = Number(res.headers.get("retry-after"));
        assert.ok(Number.isInteger(wait) && wait > 0 && wait <= 60, `Retry-After ${res.headers.get("retry-after")}`);
        assert.equal(res.json().code, "too_many_attempts");
      }
      assert.equal(a.headers.get("retry-after"), b.headers.get("retry-after"));
      assert.deepEqual(a.json(), b.json(), "the same message whether the email exists or not");

      // The right password does not get through while the wait lasts, and reveals nothing either.
      const right = await attempt(agent, holder.email, holder.password);
      assert.equal(right.status, 429);
      assert.equal(right.json().code, "too_many_attempts");
      assert.ok(Number(right.headers.get("retry-after")) > 0);
      assert.equal(agent.cookie("passport.sid"), undefined, "no session was started");
    });
  });
}
