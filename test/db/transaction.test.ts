// Transactions started at the same time all complete, on SQLite's single connection too, and a
// failing one rolls back only its own writes, not those other requests made while it was open.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inTransaction } from "../../src/db/transaction.js";
import { OidcPayloadEntity } from "../../src/db/entities.js";
import { AttemptCounterStore } from "../../src/db/attempt-counters.js";
import { openTestDb } from "../helpers/database.js";
import { databases } from "../helpers/server.js";

for (const kind of databases()) {
  describe(`transactions (${kind})`, () => {
    it("run concurrently without 'transaction within a transaction' errors", async () => {
      const db = await openTestDb(kind);
      try {
        const row = (i: number) => ({ kind: "Test", id: `t${i}`, payload: "{}", grantId: `g${i % 3}`, userCode: null, uid: null, accountId: null, expiresAt: null, consumedAt: null });
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            inTransaction(db.ds, async (m) => {
              await m.getRepository(OidcPayloadEntity).insert(row(i));
              await new Promise((r) => setImmediate(r));
              if (i === 7) throw new Error("roll me back");
              return m.getRepository(OidcPayloadEntity).count({ where: { kind: "Test" } });
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === "rejected").length, 1);
        assert.match(String((results[7] as PromiseRejectedResult).reason), /roll me back/);
        assert.equal(await db.ds.getRepository(OidcPayloadEntity).count({ where: { kind: "Test" } }), 29, "only the failed one's row is gone");
      } finally {
        await db.drop();
      }
    });

    it("a failing transaction does not take back the attempts other requests counted while it was open", async () => {
      const db = await openTestDb(kind);
      try {
        const counters = new AttemptCounterStore(db.ds);
        const rule = { limit: 3, windowMs: 60_000 };
        let open = false;
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const failing = inTransaction(db.ds, async (m) => {
          await m.getRepository(OidcPayloadEntity).insert({ kind: "Test", id: "rolled-back", payload: "{}", grantId: null, userCode: null, uid: null, accountId: null, expiresAt: null, consumedAt: null });
          open = true;
          await held;
          throw new Error("roll me back");
        });
        while (!open) await new Promise((resolve) => setImmediate(resolve));
        // Password guesses of another request while that transaction is open.
        const guesses = [counters.reserve("login:victim", rule), counters.reserve("login:victim", rule)];
        await new Promise((resolve) => setTimeout(resolve, 20));
        release();
        await assert.rejects(failing, /roll me back/);
        assert.deepEqual((await Promise.all(guesses)).map((r) => r.ok), [true, true]);
        assert.equal((await counters.reserve("login:victim", rule)).ok, true, "the third of three");
        assert.equal((await counters.reserve("login:victim", rule)).ok, false, "the fourth is refused: the first two still count");
      } finally {
        await db.drop();
      }
    });
  });
}
