// WAL checkpoints from a worker thread (src/db/sqlite-checkpoints.ts): the serving connection no
// longer checkpoints inline, yet the WAL stays bounded, and a worker that cannot work hands the
// job back to the serving connection.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "better-sqlite3";
import { sqliteConnection } from "../../src/db/driver-handles.js";
import { FALLBACK_AUTOCHECKPOINT_PAGES, sqliteCheckpoints, startBackgroundCheckpoints } from "../../src/db/sqlite-checkpoints.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

const autocheckpoint = (db: Database) => db.pragma("wal_autocheckpoint", { simple: true }) as number;

describe("background WAL checkpoints (sqlite)", () => {
  let db: TestDb;
  let conn: Database;
  let file: string;

  before(async () => {
    db = await openTestDb("sqlite");
    conn = sqliteConnection(db.ds)!;
    file = String(db.ds.options.database);
    conn.exec("CREATE TABLE filler (n INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  });
  after(() => db.drop());

  /** Writes `bursts` commits of about 1 MB each, resting between them; returns the largest WAL size seen. */
  async function write(bursts: number): Promise<number> {
    const insert = conn.prepare("INSERT INTO filler (body) VALUES (randomblob(3500))");
    const burst = conn.transaction(() => {
      for (let i = 0; i < 300; i++) insert.run();
    });
    let largest = 0;
    for (let b = 0; b < bursts; b++) {
      burst();
      largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
      await sleep(250);
    }
    return largest;
  }

  it("keeps the WAL bounded without the serving connection checkpointing", async () => {
    const checkpoints = sqliteCheckpoints(db.ds)!;
    assert.equal(autocheckpoint(conn), FALLBACK_AUTOCHECKPOINT_PAGES, "the serving connection leaves checkpoints to the worker");
    const largest = await write(16);
    await checkpoints.stop();
    assert.equal(autocheckpoint(conn), 1000, "after stop, the connection checkpoints itself again (SQLite's default)");
    // 16 MB were written; with no checkpoint until 16,000 pages (64 MB) the WAL would hold them all.
    assert.ok(largest < 6 * 1024 * 1024, `the WAL grew to ${largest} bytes`);
  });

  it("without the worker, the same writes pile up in the WAL (the test above can fail)", async () => {
    conn.pragma("wal_checkpoint(TRUNCATE)");
    conn.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    try {
      assert.ok((await write(8)) > 6 * 1024 * 1024);
    } finally {
      conn.pragma("wal_autocheckpoint = 1000");
    }
  });

  it("a worker that cannot open the database warns and hands checkpoints back", async () => {
    // This warning, not another one the process happens to emit meanwhile.
    const warned = new Promise<Error>((resolve) => {
      const listener = (w: Error) => {
        if (!w.message.includes(`${file}.missing`)) return;
        process.off("warning", listener);
        resolve(w);
      };
      process.on("warning", listener);
    });
    const checkpoints = startBackgroundCheckpoints(conn, `${file}.missing`);
    const warning = await warned;
    assert.match(warning.message, /background WAL checkpoints of .*\.missing stopped .*checkpoints inline instead/);
    assert.equal(autocheckpoint(conn), 1000);
    await checkpoints.stop(); // stopping a worker that already failed is harmless
    assert.ok(!fs.existsSync(`${file}.missing`), "the worker creates no database");
  });
});
