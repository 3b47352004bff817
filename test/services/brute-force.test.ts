// Failed sign-in limits: free failures, then doubling waits up to a cap, per account and per
// address, forgotten after the reset period; success clears the account counter only. Attempts are
// reserved before the check runs, so parallel ones cannot pass the limit together. A known device
// keeps its own allowance.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { AttemptCounterStore } from "../../src/db/attempt-counters.js";
import { TooManyAttemptsError } from "../../src/errors.js";
import { BruteForceGuard, deviceCookieValue, deviceOf, type AttemptKeys } from "../../src/services/brute-force.js";
import { RateLimiter } from "../../src/services/rate-limit.js";
import { openTestDb, type TestDb } from "../helpers/database.js";
import { databases, pgNotice } from "../helpers/server.js";

pgNotice();

const cfg = { freeFailures: 3, ipFreeFailures: 10, waitIncrementSeconds: 60, maxWaitSeconds: 300, resetSeconds: 3600, signUpsPerIpPerHour: 4 };

for (const kind of databases()) {
  describe(`brute-force guard (${kind})`, () => {
    let db: TestDb;
    let guard: BruteForceGuard;
    before(async () => {
      db = await openTestDb(kind);
      guard = new BruteForceGuard(new RateLimiter(new AttemptCounterStore(db.ds)), cfg);
    });
    after(() => db.drop());

    /** One wrong guess: "checked" if the check ran, else the wait it was refused with. */
    const fail = async (keys: AttemptKeys, now: number): Promise<"checked" | number> => {
      let ran = false;
      try {
        await guard.attempt(keys, async () => ((ran = true), false), now);
        return "checked";
      } catch (err) {
        assert.ok(err instanceof TooManyAttemptsError);
        assert.equal(ran, false, "a refused attempt never reaches the check");
        return err.retryAfterSeconds;
      }
    };

    it("allows the free failures, then one attempt per wait of 60, 120, 240 s, capped at 300 s", async () => {
      const keys = { account: "a@example.test", ip: "10.0.0.1" };
      const t0 = 1_000_000_000_000;
      for (let i = 0; i < 3; i++) assert.equal(await fail(keys, t0), "checked");
      assert.equal(await fail(keys, t0), 60, "after three failures the next attempt waits");
      let t = t0 + 61_000;
      for (const wait of [120, 240, 300, 300]) {
        assert.equal(await fail(keys, t), "checked", "the wait ended");
        assert.equal(await fail(keys, t), wait);
        t += wait * 1000 + 1000;
      }
    });

    it("lets exactly the free failures reach the check when 60 guesses arrive together", async () => {
      const keys = { account: "burst@example.test", ip: "10.0.1.1" };
      let checks = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, () =>
          guard.attempt(keys, async () => {
            checks++;
            await sleep(5); // argon2 takes a while: the others arrive meanwhile
            return false;
          }),
        ),
      );
      assert.equal(checks, cfg.freeFailures);
      const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof TooManyAttemptsError);
      assert.equal(refused.length, 60 - cfg.freeFailures);
    });

    it("lets exactly the address's free failures through when many accounts are tried together", async () => {
      let checks = 0;
      await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          guard.attempt({ account: `spray${i}@example.test`, ip: "10.0.1.2" }, async () => {
            checks++;
            await sleep(5);
            return false;
          }),
        ),
      );
      assert.equal(checks, cfg.ipFreeFailures);
    });

    it("locks an address that tries many accounts, and only that address", async () => {
      const t0 = 1_100_000_000_000;
      for (let i = 0; i < 10; i++) assert.equal(await fail({ account: `u${i}@example.test`, ip: "10.0.0.2" }, t0), "checked");
      assert.equal(await fail({ account: "fresh@example.test", ip: "10.0.0.2" }, t0), 60);
      assert.equal(await fail({ account: "fresh@example.test", ip: "10.0.0.3" }, t0), "checked", "other addresses are not affected");
    });

    it("clears the account counter on success but not the address counter; a success does not count", async () => {
      const t0 = 1_200_000_000_000;
      const keys = { account: "b@example.test", ip: "10.0.0.4" };
      for (let i = 0; i < 2; i++) await fail(keys, t0);
      assert.equal(await guard.attempt(keys, async () => true, t0), true);
      for (let i = 0; i < 3; i++) assert.equal(await fail(keys, t0), "checked", "the account starts over");
      // The address has 5 failures and no count for the success: 5 more are free.
      for (let i = 0; i < 5; i++) assert.equal(await fail({ account: `b${i}@example.test`, ip: "10.0.0.4" }, t0), "checked");
      assert.equal(await fail({ account: "b9@example.test", ip: "10.0.0.4" }, t0), 60);
    });

    it("forgets failures after the reset period", async () => {
      const t0 = 1_300_000_000_000;
      const keys = { account: "c@example.test", ip: "10.0.0.5" };
      for (let i = 0; i < 3; i++) await fail(keys, t0);
      const later = t0 + 3600_000 + 1000;
      for (let i = 0; i < 3; i++) assert.equal(await fail(keys, later), "checked", "the count restarted");
      assert.ok((await guard.purge(later + 3600_000 + 400_000)) >= 1);
    });

    it("gives a known device its own allowance, and its failures lock only that device", async () => {
      const t0 = 1_400_000_000_000;
      const account = "holder@example.test";
      const attacker = { account, ip: "10.6.6.6" };
      for (let i = 0; i < 3; i++) await fail(attacker, t0);
      assert.equal(await fail(attacker, t0), 60, "the account is locked for everyone else");
      const device = { account, ip: "10.0.0.7", device: "dev-one" };
      assert.equal(await guard.attempt(device, async () => true, t0), true, "the holder's device still gets in");
      assert.equal(await fail(attacker, t0), 60, "a device's success does not unlock the attacker");
      for (let i = 0; i < 3; i++) assert.equal(await fail(device, t0), "checked");
      assert.equal(await fail(device, t0), 60, "the device locked itself");
      assert.equal(await fail({ ...device, device: "dev-two" }, t0), "checked", "another device is not affected");
    });

    it("limits sign-ups per address in a fixed window, in parallel", async () => {
      const t0 = 1_500_000_000_000;
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => guard.signUp("10.0.0.8", t0)));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, cfg.signUpsPerIpPerHour);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.ok(refused.reason instanceof TooManyAttemptsError);
      assert.equal(refused.reason.retryAfterSeconds, 3600);
      assert.match(refused.reason.message, /sign-ups/);
      await guard.signUp("10.0.0.8", t0 + 3600_000);
    });
  });
}

describe("device cookie values", () => {
  it("name one account and keep their device id", () => {
    const v = deviceCookieValue("acc-1");
    const id = deviceOf(v, "acc-1");
    assert.ok(id);
    assert.equal(deviceOf(v, "acc-2"), undefined, "not for another account");
    assert.equal(deviceCookieValue("acc-1", v), v, "kept on the next success");
    assert.notEqual(deviceCookieValue("acc-2", v), v, "a new one for another account");
    assert.equal(deviceOf("acc-1.short", "acc-1"), undefined);
    assert.equal(deviceOf(undefined, "acc-1"), undefined);
  });
});
