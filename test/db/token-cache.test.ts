// The SQLite server's token cache at storage level (src/db/token-cache.ts, sqlite-changes.ts):
// what it keeps, what drops an entry, and what it must never keep. The end-to-end view (CLI,
// endpoints) is test/e2e/token-cache.test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import type { DataSource } from "typeorm";
import { OidcStore } from "../../src/db/oidc-store.js";
import { openDatabase } from "../../src/db/data-source.js";
import { sqliteChanges } from "../../src/db/sqlite-changes.js";
import { inTransaction } from "../../src/db/transaction.js";
import { databases, pgNotice } from "../helpers/server.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

pgNotice();

const grant = (id: string) => ({ jti: id, kind: "Grant", clientId: null, accountId: "acc", openid: { scope: "openid" } });
const token = (id: string, grantId: string, extra: Record<string, unknown> = {}) => ({ jti: id, kind: "AccessToken", grantId, accountId: "acc", scope: "openid", ...extra });

describe("token cache (sqlite)", () => {
  let db: TestDb;
  let store: OidcStore;
  let n = 0;

  before(async () => {
    db = await openTestDb("sqlite");
    sqliteChanges(db.ds)!.serve();
    store = new OidcStore(db.ds);
    store.cacheTokens(3600);
  });
  after(() => db.drop());

  /** A fresh access token with its grant, read once so that it is kept. */
  async function kept(extra: Record<string, unknown> = {}): Promise<{ value: string; grantId: string }> {
    const value = `token-value-${++n}-${"x".repeat(32)}`;
    const grantId = `grant-${n}`;
    await store.upsert("Grant", grantId, grant(grantId), 3600);
    await store.upsert("AccessToken", value, token(value, grantId, extra), 3600);
    assert.ok((await store.findToken(value)).tokens.get("AccessToken"));
    return { value, grantId };
  }

  const live = async (value: string) => (await store.findToken(value)).tokens.get("AccessToken");

  /** A second connection opened as Passport opens one (the CLI's): it announces its writes. */
  async function withOtherConnection(use: (other: DataSource) => Promise<void>): Promise<void> {
    const other = await openDatabase(db.config);
    try {
      await use(other);
    } finally {
      sqliteChanges(other)?.close();
      await other.destroy();
    }
  }

  /** Deletes every access token row through another Passport connection, and lets it announce (as a CLI command does before it exits). */
  const deleteElsewhere = () =>
    withOtherConnection(async (other) => {
      assert.equal(sqliteChanges(other)!.serving, false, "a second connection announces");
      await other.query(`DELETE FROM "oidc_payloads" WHERE "kind" = 'AccessToken'`);
      await new Promise((r) => setImmediate(r));
    });

  it("answers a kept token without the database: a row removed behind Passport's back still answers until its entry ends", async () => {
    const { value } = await kept();
    const before = store.keptTokens;
    // A connection Passport did not open reports nothing (SQL by hand): the entry answers.
    const other = new Database(db.config.type === "sqlite" ? db.config.file : "");
    try {
      other.prepare(`DELETE FROM "oidc_payloads" WHERE "kind" = 'AccessToken'`).run();
    } finally {
      other.close();
    }
    assert.ok(await live(value), "answered from memory");
    assert.equal(store.keptTokens, before);
  });

  it("an entry lives no longer than its lifetime: SQL by hand is seen once it ends", async () => {
    const short = new OidcStore(db.ds);
    short.cacheTokens(0.2);
    const value = `short-${"y".repeat(40)}`;
    await short.upsert("Grant", "g-short", grant("g-short"), 3600);
    await short.upsert("AccessToken", value, token(value, "g-short"), 3600);
    assert.ok((await short.findToken(value)).tokens.get("AccessToken"));
    const other = new Database(db.config.type === "sqlite" ? db.config.file : "");
    try {
      other.prepare(`DELETE FROM "oidc_payloads" WHERE "grant_id" = 'g-short'`).run();
    } finally {
      other.close();
    }
    assert.ok((await short.findToken(value)).tokens.get("AccessToken"), "still kept");
    await sleep(250);
    assert.equal((await short.findToken(value)).tokens.get("AccessToken"), undefined, "read again after its lifetime");
  });

  it("every write through the serving connection drops what it touches, whatever the code path", async () => {
    const consumed = await kept();
    await store.consume("AccessToken", consumed.value);
    assert.ok((await live(consumed.value))?.consumed, "consumption is read back");

    const destroyed = await kept();
    await store.destroy("AccessToken", destroyed.value);
    assert.equal(await live(destroyed.value), undefined);

    const revoked = await kept();
    await store.revokeByGrantId(revoked.grantId);
    assert.equal(await live(revoked.value), undefined);

    const grantChanged = await kept();
    await store.upsert("Grant", grantChanged.grantId, { ...grant(grantChanged.grantId), openid: { scope: "openid email" } }, 3600);
    const found = await store.findToken(grantChanged.value);
    assert.deepEqual((found.grants.get(grantChanged.grantId) as { openid: { scope: string } }).openid.scope, "openid email");

    const byQuery = await kept();
    await db.ds.query(`DELETE FROM "oidc_payloads" WHERE "kind" = 'Grant' AND "id" = ?`, [byQuery.grantId]);
    assert.equal((await store.findToken(byQuery.value)).grants.get(byQuery.grantId), null, "the grant is gone");

    const byAccount = await kept({ accountId: "acc-gone" });
    await store.revokeByAccount("acc-gone");
    assert.equal(await live(byAccount.value), undefined);
  });

  it("a change to any client drops every entry (an entry assumes its client is enabled)", async () => {
    await kept();
    assert.ok(store.keptTokens > 0);
    await db.ds.query(`INSERT INTO "clients" ("client_id", "name", "metadata", "enabled", "created_at", "updated_at") VALUES ('c-new', 'New', '{}', 1, 0, 0)`);
    assert.equal(store.keptTokens, 0, "a written clients row empties the cache");
  });

  it("another Passport process's write is announced once it commits, and empties the cache before the next answer", async () => {
    const { value } = await kept();
    await deleteElsewhere();
    assert.equal(await live(value), undefined, "the announcement was seen");
  });

  it("the announcements file removed under the server: it reads the file on each request instead, and still sees the next change", async () => {
    const changes = sqliteChanges(db.ds)!;
    assert.equal(changes.watchingAnnouncements, true, "watched while the file is in place");
    const { value } = await kept();
    fs.rmSync(changes.announcementsFile);
    for (let i = 0; i < 200 && changes.watchingAnnouncements; i++) await sleep(10);
    assert.equal(changes.watchingAnnouncements, false, "the watcher noticed the removal");
    assert.ok(await live(value), "nothing changed yet");
    // A new file of one byte: the same size the old one may have had, but another file.
    await deleteElsewhere();
    assert.equal(await live(value), undefined, "the announcement was seen without the watcher");
  });

  it("a write inside a transaction is announced only after it commits, and a rolled-back one leaves the token valid", async () => {
    const { value } = await kept();
    await withOtherConnection(async (other) => {
      const file = sqliteChanges(other)!.announcementsFile;
      const size = () => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      const start = size();
      await assert.rejects(
        inTransaction(other, async (m) => {
          await m.query(`DELETE FROM "oidc_payloads" WHERE "kind" = 'AccessToken'`);
          await sleep(20);
          assert.equal(size(), start, "nothing is announced while the transaction is open");
          throw new Error("roll back");
        }),
        /roll back/,
      );
      await sleep(20);
      assert.ok(size() > start, "announced after the rollback (a refill, no harm)");
      assert.ok(await live(value), "the rolled-back delete did not end the token");
    });
  });

  it("keeps nothing read inside a transaction of the serving connection, nor an unknown value", async () => {
    const { value, grantId } = await kept();
    await store.upsert("AccessToken", value, token(value, grantId), 3600); // drops the entry
    const before = store.keptTokens;
    await assert.rejects(
      inTransaction(db.ds, async () => {
        assert.ok(await live(value));
        assert.equal(store.keptTokens, before, "not kept while a transaction is open");
        throw new Error("roll back");
      }),
    );
    assert.equal(await live(`unknown-${"z".repeat(40)}`), undefined);
    assert.equal(store.keptTokens, before, "an unknown value is not kept");
    const refresh = `refresh-${"r".repeat(40)}`;
    await store.upsert("RefreshToken", refresh, { ...token(refresh, grantId), kind: "RefreshToken" }, 3600);
    assert.ok((await store.findToken(refresh)).tokens.get("RefreshToken"));
    assert.equal(store.keptTokens, before, "a refresh token, spent on use, is not kept");
  });
});

for (const kind of databases().filter((k) => k === "postgres")) {
  describe(`token cache (${kind})`, () => {
    it("is never used on PostgreSQL: another process's revocation could not be seen without a round trip", async () => {
      const db = await openTestDb(kind);
      try {
        const store = new OidcStore(db.ds);
        store.cacheTokens(3600);
        await store.upsert("AccessToken", "pg-token-value-xxxxxxxxxxxxxxxxxxxx", token("pg-token-value-xxxxxxxxxxxxxxxxxxxx", "g"), 3600);
        await store.findToken("pg-token-value-xxxxxxxxxxxxxxxxxxxx");
        assert.equal(store.keptTokens, 0);
      } finally {
        await db.drop();
      }
    });
  });
}
