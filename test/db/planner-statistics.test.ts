// The token table's planner statistics (src/db/planner-statistics.ts): the rule that decides when
// to analyse, and, on PostgreSQL, that a token read planned while the table was nearly empty does
// not go on reading the whole table once it has grown.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import { PlannerStatistics } from "../../src/db/planner-statistics.js";
import { OidcStore } from "../../src/db/oidc-store.js";
import { createDataSource } from "../../src/db/data-source.js";
import { databases, pgNotice } from "../helpers/server.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

pgNotice();

describe("planner statistics: when to analyse", () => {
  const counting = (rows: number[]) => {
    const calls: number[] = [];
    const analyser = { analyse: async () => (calls.push(calls.length), rows[calls.length - 1] ?? 0) };
    return { calls, analyser };
  };

  it("analyses after 50 changed rows, then once as many rows as the table held (plus 50) have changed", async () => {
    const { calls, analyser } = counting([1000, 5000]);
    const stats = new PlannerStatistics(analyser, (e) => assert.fail(String(e)));
    stats.wrote(49);
    await stats.settled();
    assert.equal(calls.length, 0, "49 changed rows are not enough");
    stats.wrote(1);
    await stats.settled();
    assert.equal(calls.length, 1);
    stats.wrote(1049); // the table had 1,000 rows: 50 + 1,000 needed
    await stats.settled();
    assert.equal(calls.length, 1);
    stats.wrote(1);
    await stats.settled();
    assert.equal(calls.length, 2);
  });

  it("runs one analysis at a time, and a failure is reported and does not stop the next", async () => {
    let release!: () => void;
    const errors: unknown[] = [];
    let n = 0;
    const stats = new PlannerStatistics(
      {
        analyse: () => {
          n++;
          if (n === 1) return new Promise<number>((resolve) => (release = () => resolve(0)));
          return Promise.reject(new Error("permission denied"));
        },
      },
      (e) => errors.push(e),
    );
    stats.wrote(100);
    stats.wrote(100); // while the first runs
    assert.equal(n, 1);
    release();
    await stats.settled();
    stats.wrote(0); // the rows written meanwhile count: 100 ≥ 50
    await stats.settled();
    assert.equal(n, 2);
    assert.equal((errors[0] as Error).message, "permission denied");
    stats.wrote(50);
    await stats.settled();
    assert.equal(n, 3);
  });
});

for (const kind of databases().filter((k) => k === "postgres")) {
  describe(`planner statistics (${kind})`, () => {
    let db: TestDb;
    let one: DataSource;
    let store: OidcStore;

    before(async () => {
      db = await openTestDb(kind);
      // One connection, so every statement below is planned, cached and counted in one backend.
      one = createDataSource(db.config);
      one.setOptions({ extra: { ...(one.options.extra as object), max: 1 } });
      await one.initialize();
      store = new OidcStore(one);
    });
    after(async () => {
      await one.destroy();
      await db.drop();
    });

    /** Index and table rows PostgreSQL read for oidc_payloads so far (this backend's counts, flushed). */
    async function rowsRead(): Promise<number> {
      await one.query("SELECT pg_stat_force_next_flush()");
      const [row] = await one.query<{ n: string }[]>(
        "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) AS n FROM pg_stat_user_tables WHERE relid = 'oidc_payloads'::regclass",
      );
      return Number(row!.n);
    }

    const token = (i: number) => ({ jti: `at-${i}`, kind: "AccessToken", grantId: `g-${i}`, accountId: "acc", clientId: null });

    async function fill(from: number, to: number): Promise<void> {
      const writes = [];
      for (let i = from; i < to; i++) {
        writes.push(store.upsert("Grant", `g-${i}`, { jti: `g-${i}`, kind: "Grant", accountId: "acc" }, 3600));
        writes.push(store.upsert("AccessToken", `at-${i}`, token(i), 3600));
      }
      await Promise.all(writes);
    }

    it("keeps a token read on the index as the table grows from empty", async () => {
      await store.keepPlannerStatistics((e) => assert.fail(String(e)));
      await fill(0, 2);
      // Read while the table holds four rows: five custom plans, then a generic one is kept.
      for (let i = 0; i < 12; i++) assert.ok((await store.findToken("at-1")).tokens.get("AccessToken"));
      await fill(2, 3000);
      await store.statisticsSettled();
      const before = await rowsRead();
      for (let i = 0; i < 20; i++) assert.ok((await store.findToken(`at-${100 + i}`)).tokens.get("AccessToken"));
      const perRead = ((await rowsRead()) - before) / 20;
      // A token and its grant: two rows per read. The plan made for four rows read about a hundred
      // here (each read scanned the tokens of its kinds), and more as the table grew.
      assert.ok(perRead <= 4, `each read went through ${perRead} rows of oidc_payloads`);
      const [stat] = await one.query<{ last_analyze: Date | null }[]>("SELECT last_analyze FROM pg_stat_user_tables WHERE relid = 'oidc_payloads'::regclass");
      assert.ok(stat!.last_analyze, "the table was analysed");
    });

    /** How often this backend planned its prepared statement whose text contains `marker`: generic and custom plans. */
    async function plans(marker: string): Promise<{ generic: number; custom: number }> {
      const [row] = await one.query<{ generic: string; custom: string }[]>(
        "SELECT coalesce(sum(generic_plans), 0) AS generic, coalesce(sum(custom_plans), 0) AS custom FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'",
        [marker],
      );
      return { generic: Number(row!.generic), custom: Number(row!.custom) };
    }

    it("plans the batched token read and the spend with its new token once on a large table, not again at every run", async () => {
      // Runs after the test above: the table holds about 6,000 rows and was analysed.
      const read = "AS token_id";
      const readBefore = await plans(read);
      for (let i = 0; i < 12; i++) assert.ok((await store.findToken(`at-${200 + i}`)).tokens.get("AccessToken"));
      const readAfter = await plans(read);
      // A statement taking an array is planned for ten values; the plan made for the one value
      // each run names is cheaper, so PostgreSQL planned all 12 runs afresh.
      assert.ok(readAfter.custom - readBefore.custom <= 5, `the read was planned afresh ${readAfter.custom - readBefore.custom} times in 12 runs`);
      assert.ok(readAfter.generic > readBefore.generic, "the read ran on its kept plan");
      // A refresh: the spend and the new token in one turn, so one statement.
      const spend = "WITH spent AS";
      for (let i = 0; i < 12; i++) {
        await store.upsert("RefreshToken", `rt-${i}`, { ...token(i), kind: "RefreshToken" }, 3600);
        const [won] = await Promise.all([store.consume("RefreshToken", `rt-${i}`), store.upsert("RefreshToken", `rt-next-${i}`, { ...token(i), kind: "RefreshToken" }, 3600)]);
        assert.equal(won, true);
      }
      const spent = await plans(spend);
      assert.ok(spent.custom <= 5, `the spend was planned afresh ${spent.custom} times in 12 runs`);
      assert.ok(spent.generic > 0, "the spend ran on its kept plan");
    });

    it("leaves the table to autovacuum when Passport's database user does not own it", async () => {
      const cfg = db.config as { type: "postgres"; url: string; schema: string };
      const role = `passport_guest_${crypto.randomBytes(4).toString("hex")}`;
      await one.query(`CREATE ROLE ${role} LOGIN`);
      await one.query(`GRANT USAGE ON SCHEMA "${cfg.schema}" TO ${role}`);
      await one.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${cfg.schema}" TO ${role}`);
      const url = new URL(cfg.url);
      url.username = role;
      const guest = createDataSource({ ...cfg, url: url.toString() });
      await guest.initialize();
      const sent: string[] = [];
      const query = guest.query.bind(guest);
      guest.query = ((sql: string, params?: unknown[]) => (sent.push(sql), query(sql, params))) as typeof guest.query;
      try {
        const store = new OidcStore(guest);
        await store.keepPlannerStatistics((e) => assert.fail(String(e)));
        await Promise.all(Array.from({ length: 200 }, (_, i) => store.upsert("Grant", `guest-${i}`, { jti: `guest-${i}`, kind: "Grant" }, 3600)));
        await store.statisticsSettled();
        const [grants] = await one.query<{ n: string }[]>("SELECT count(*) AS n FROM oidc_payloads WHERE kind = 'Grant' AND account_id IS NULL");
        assert.equal(Number(grants!.n), 200, "the guest's writes went in, enough for an analysis");
        assert.deepEqual(sent.filter((q) => q.startsWith("ANALYZE")), [], "no ANALYZE it would be refused");
      } finally {
        await guest.destroy();
        await one.query(`DROP OWNED BY ${role}`);
        await one.query(`DROP ROLE ${role}`);
      }
    });
  });
}
