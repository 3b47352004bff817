// Transactions started at the same time all complete, on SQLite's single connection too, and a
// failing one rolls back only its own writes, not those other requests made while it was open.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inTransaction } from "../../src/db/transaction.js";
import { OidcPayloadEntity } from "../../src/db/entities.js";
import { AttemptCounterStore } from "../../src/db/attempt-counters.js";
import { openTestDb, type TestDb } from "../helpers/database.js";
import { databases, type DbKind } from "../helpers/server.js";
import type { DataSource } from "typeorm";

const row = (id: string, grantId: string | null = null) => ({ kind: "Test", id, payload: "{}", grantId, userCode: null, uid: null, accountId: null, expiresAt: null, consumedAt: null });
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Another request's transaction, open (it has written a row) until `fail` is called, and then
 * rolled back: `failed` rejects with "roll me back".
 */
async function openFailingTransaction(ds: DataSource): Promise<{ fail: () => void; failed: Promise<void> }> {
  let open = false;
  let fail!: () => void;
  const held = new Promise<void>((resolve) => (fail = resolve));
  const failed = inTransaction(ds, async (m) => {
    await m.getRepository(OidcPayloadEntity).insert(row("rolled-back"));
    open = true;
    await held;
    throw new Error("roll me back");
  });
  while (!open) await new Promise((resolve) => setImmediate(resolve));
  return { fail, failed };
}

/** A test on a fresh database of `kind`, dropped afterwards. */
const withDb = (kind: DbKind, work: (db: TestDb) => Promise<void>) => async () => {
  const db = await openTestDb(kind);
  try {
    await work(db);
  } finally {
    await db.drop();
  }
};

for (const kind of databases()) {
  describe(`transactions (${kind})`, () => {
    it("run concurrently without 'transaction within a transaction' errors", withDb(kind, async (db) => {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          inTransaction(db.ds, async (m) => {
            await m.getRepository(OidcPayloadEntity).insert(row(`t${i}`, `g${i % 3}`));
            await new Promise((r) => setImmediate(r));
            if (i === 7) throw new Error("roll me back");
            return m.getRepository(OidcPayloadEntity).count({ where: { kind: "Test" } });
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === "rejected").length, 1);
      assert.match(String((results[7] as PromiseRejectedResult).reason), /roll me back/);
      assert.equal(await db.ds.getRepository(OidcPayloadEntity).count({ where: { kind: "Test" } }), 29, "only the failed one's row is gone");
    }));

    it("a failing transaction does not take back what repositories, saves and ds.query wrote outside it meanwhile", withDb(kind, async (db) => {
      const repo = db.ds.getRepository(OidcPayloadEntity);
      await repo.insert(row("existing"));
      const other = await openFailingTransaction(db.ds);
      // Another request's writes, none of them in a transaction of Passport's, while that one is open.
      const writes = [
        repo.insert(row("inserted")),
        repo.update({ kind: "Test", id: "existing" }, { grantId: "updated" }),
        repo.save(row("saved")), // TypeORM wraps a save in a transaction of its own
        db.ds.query(`INSERT INTO oidc_payloads (kind, id, payload) VALUES ('Test', 'by-query', '{}')`),
      ];
      // Reads do not wait for the open transaction.
      assert.equal(await repo.count({ where: { kind: "Test", id: "existing" } }), 1);
      await later(20);
      other.fail();
      await assert.rejects(other.failed, /roll me back/);
      await Promise.all(writes);
      const ids = (await repo.find({ where: { kind: "Test" }, order: { id: "ASC" } })).map((r) => `${r.id}${r.grantId ? `:${r.grantId}` : ""}`);
      assert.deepEqual(ids, ["by-query", "existing:updated", "inserted", "saved"]);
    }));

    it("transactions, saves and writes outside them, all at once, each end as their own", withDb(kind, async (db) => {
      const repo = db.ds.getRepository(OidcPayloadEntity);
      // i % 4: 0 a transaction that fails, 1 an insert, 2 a transaction that commits, 3 a save of
      // two rows whose second breaks a NOT NULL (TypeORM's own transaction rolls back the first).
      const work = (i: number): Promise<unknown> => {
        if (i % 4 === 1) return later(i).then(() => repo.insert(row(`outside-${i}`)));
        if (i % 4 === 3) return later(i).then(() => repo.save([row(`saved-${i}`), { ...row(`broken-${i}`), payload: null as unknown as string }]));
        return inTransaction(db.ds, async (m) => {
          await m.getRepository(OidcPayloadEntity).insert(row(`inside-${i}`));
          await later(2);
          if (i % 4 === 0) throw new Error("roll me back");
        });
      };
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => work(i)));
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
      assert.deepEqual(failed, Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 4 === 0 || i % 4 === 3));
      const ids = (await repo.find({ where: { kind: "Test" } })).map((r) => r.id).sort();
      const expected = Array.from({ length: 40 }, (_, i) => i).flatMap((i) => (i % 4 === 1 ? [`outside-${i}`] : i % 4 === 2 ? [`inside-${i}`] : []));
      assert.deepEqual(ids, expected.sort());
    }));

    it("a failing transaction does not take back the attempts other requests counted while it was open", withDb(kind, async (db) => {
      const counters = new AttemptCounterStore(db.ds);
      const rule = { limit: 3, windowMs: 60_000 };
      const other = await openFailingTransaction(db.ds);
      // Password guesses of another request while that transaction is open.
      const guesses = [counters.reserve("login:victim", rule), counters.reserve("login:victim", rule)];
      await later(20);
      other.fail();
      await assert.rejects(other.failed, /roll me back/);
      assert.deepEqual((await Promise.all(guesses)).map((r) => r.ok), [true, true]);
      assert.equal((await counters.reserve("login:victim", rule)).ok, true, "the third of three");
      assert.equal((await counters.reserve("login:victim", rule)).ok, false, "the fourth is refused: the first two still count");
    }));
  });
}
