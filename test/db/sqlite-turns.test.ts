// The FIFO turns SQLite's one connection is shared by (src/db/sqlite-turns.ts): one holder at a
// time, in the order asked, and a wait that never ends fails instead of hanging.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionTurns } from "../../src/db/sqlite-turns.js";

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
});
