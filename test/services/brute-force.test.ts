// Failed sign-in limits: free failures, then doubling waits up to a cap, per account and per
// address, forgotten after the reset period; success clears the account counter only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LoginFailureStore } from "../../src/db/login-failures.js";
import { TooManyAttemptsError } from "../../src/errors.js";
import { BruteForceGuard } from "../../src/services/brute-force.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

const cfg = { freeFailures: 3, ipFreeFailures: 10, waitIncrementSeconds: 60, maxWaitSeconds: 300, resetSeconds: 3600 };

describe("brute-force guard", () => {
  let db: TestDb;
  let guard: BruteForceGuard;
  before(async () => {
    db = await openTestDb("sqlite");
    guard = new BruteForceGuard(new LoginFailureStore(db.ds), cfg);
  });
  after(() => db.drop());

  const waitOf = async (keys: { account: string; ip: string }, now: number) => {
    try {
      await guard.check(keys, now);
      return 0;
    } catch (err) {
      assert.ok(err instanceof TooManyAttemptsError);
      return err.retryAfterSeconds;
    }
  };

  it("allows the free failures, then waits 60, 120, 240 s, capped at 300 s", async () => {
    const keys = { account: "a@example.test", ip: "10.0.0.1" };
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < 3; i++) {
      assert.equal(await waitOf(keys, t0), 0);
      await guard.recordFailure(keys, t0);
    }
    assert.equal(await waitOf(keys, t0), 60, "after three failures the next attempt waits");
    assert.equal(await waitOf(keys, t0 + 61_000), 0, "the wait ends");
    await guard.recordFailure(keys, t0 + 61_000);
    assert.equal(await waitOf(keys, t0 + 61_000), 120);
    await guard.recordFailure(keys, t0 + 200_000);
    assert.equal(await waitOf(keys, t0 + 200_000), 240);
    await guard.recordFailure(keys, t0 + 500_000);
    assert.equal(await waitOf(keys, t0 + 500_000), 300, "capped");
  });

  it("locks an address that tries many accounts", async () => {
    const t0 = 1_100_000_000_000;
    for (let i = 0; i < 9; i++) await guard.recordFailure({ account: `u${i}@example.test`, ip: "10.0.0.2" }, t0);
    assert.equal(await waitOf({ account: "fresh@example.test", ip: "10.0.0.2" }, t0), 0);
    await guard.recordFailure({ account: "u9@example.test", ip: "10.0.0.2" }, t0);
    assert.equal(await waitOf({ account: "fresh@example.test", ip: "10.0.0.2" }, t0), 60);
    assert.equal(await waitOf({ account: "fresh@example.test", ip: "10.0.0.3" }, t0), 0, "other addresses are not affected");
  });

  it("clears the account counter on success but not the address counter", async () => {
    const t0 = 1_200_000_000_000;
    const keys = { account: "b@example.test", ip: "10.0.0.4" };
    for (let i = 0; i < 4; i++) await guard.recordFailure(keys, t0);
    await guard.recordSuccess(keys);
    assert.equal(await waitOf({ account: "b@example.test", ip: "10.0.0.9" }, t0), 0);
  });

  it("forgets failures after the reset period", async () => {
    const t0 = 1_300_000_000_000;
    const keys = { account: "c@example.test", ip: "10.0.0.5" };
    for (let i = 0; i < 3; i++) await guard.recordFailure(keys, t0);
    const later = t0 + 3600_000 + 1000;
    await guard.recordFailure(keys, later);
    assert.equal(await waitOf(keys, later), 0, "the count restarted at one");
    assert.ok((await guard.purge(later + 3600_000 + 1000)) >= 1);
  });
});
