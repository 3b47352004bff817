// The FIFO turns SQLite's one connection is shared by (src/db/sqlite-turns.ts): one holder at a
// time, in the order asked, and a wait that never ends fails instead of hanging.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionTurns, connectionTurns } from "../../src/db/sqlite-turns.js";
import { inTransaction } from "../../src/db/transaction.js";
import { OidcPayloadEntity } from "../../src/db/entities.js";
import { openTestDb } from "../helpers/database.js";

describe("SQLite connection turns", () => {
  it("give one holder at a time, first come first served", async () => {
    const turns = new ConnectionTurns();
    const order: string[] = [];
    let holding = 0;
    let most = 0;
    const hold = (name: string, ms: number) =>
      turns.take(async () => {
        most = Math.max(most, ++holding);
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${name} out`);
        holding--;
      });
    await Promise.all([hold("a", 15), hold("b", 1), hold("c", 5)]);
    assert.equal(most, 1);
    assert.deepEqual(order, ["a in", "a out", "b in", "b out", "c in", "c out"]);
  });

  it("end a turn whose work fails, and pass the failure on", async () => {
    const turns = new ConnectionTurns();
    await assert.rejects(turns.take(async () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(await turns.take(async () => "next"), "next");
  });

  it("fail a wait that outlasts the timeout with SQLITE_BUSY, and give up its place in line", async () => {
    const turns = new ConnectionTurns(50);
    const endFirst = await turns.acquire();
    const started = Date.now();
    await assert.rejects(turns.acquire(), (e: Error & { code?: string }) => e.code === "SQLITE_BUSY" && /no turn/.test(e.message));
    assert.ok(Date.now() - started >= 45, "it waited for the timeout");
    const third = turns.acquire();
    endFirst();
    const endThird = await third; // not stuck behind the one that gave up
    endThird();
  });

  it("fail a write made outside a transaction from inside it (it waits for itself) instead of hanging", async () => {
    const db = await openTestDb("sqlite");
    try {
      connectionTurns(db.ds)!.timeoutMs = 100;
      const repo = db.ds.getRepository(OidcPayloadEntity);
      const row = (id: string) => ({ kind: "Test", id, payload: "{}", grantId: null, userCode: null, uid: null, accountId: null, expiresAt: null, consumedAt: null });
      const wrong = inTransaction(db.ds, async (m) => {
        await m.getRepository(OidcPayloadEntity).insert(row("inside"));
        await repo.insert(row("through-the-wrong-repository"));
      });
      await assert.rejects(wrong, (e: Error & { code?: string }) => e.code === "SQLITE_BUSY");
      await repo.insert(row("after")); // the connection's turns go on
      assert.deepEqual((await repo.find({ where: { kind: "Test" } })).map((r) => r.id), ["after"]);
    } finally {
      await db.drop();
    }
  });
});
