// Transactions started at the same time all complete, on SQLite's single connection too, and a
// failing one rolls back only its own writes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inTransaction } from "../../src/db/transaction.js";
import { OidcPayloadEntity } from "../../src/db/entities.js";
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
  });
}
