// The change counter the client cache relies on (src/db/change-versions.ts): it moves with every
// write to the clients table, whoever makes it, and on PostgreSQL it is known only while the
// process is listening: a lost listening connection means "unknown" (no caching) until it is back.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { changeVersions, type ChangeVersions } from "../../src/db/change-versions.js";
import { ClientService } from "../../src/services/clients.js";
import { ClientStore } from "../../src/db/clients.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { databases, pgNotice } from "../helpers/server.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

pgNotice();

/** Polls `read` until `done` holds; a bounded wait for an asynchronous notification, not a timing assertion. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

for (const kind of databases()) {
  describe(`change versions (${kind})`, () => {
    let db: TestDb;
    let versions: ChangeVersions;
    let clients: ClientService;
    const current = () => versions.current("clients");

    before(async () => {
      db = await openTestDb(kind);
      versions = changeVersions(db.ds);
      clients = new ClientService(new ClientStore(db.ds), new SecretBox(""));
    });
    after(async () => {
      await versions.close();
      await db.drop();
    });

    it("moves with every insert, update and delete of a client, and only then", async () => {
      const start = await until(current, (v) => v !== null);
      assert.notEqual(start, null, "the counter is known");
      assert.equal(await current(), start, "nothing changed");
      const { client } = await clients.create({ name: "Counted", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" });
      const created = await until(current, (v) => v !== start);
      assert.notEqual(created, start, "an insert moves it");
      await db.ds.query(`UPDATE clients SET name = 'Renamed by hand' WHERE client_id = '${client.clientId}'`);
      const updated = await until(current, (v) => v !== created);
      assert.notEqual(updated, created, "an update by SQL moves it");
      await clients.delete(client.clientId);
      assert.notEqual(await until(current, (v) => v !== updated), updated, "a delete moves it");
    });

    if (kind === "postgres") {
      it("is unknown while the listening connection is lost, and known again (with a new value) once it is back", async () => {
        const before = await until(current, (v) => v !== null);
        const schema = (db.config as { schema: string }).schema;
        await db.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`passport changes ${schema}`]);
        assert.equal(await until(current, (v) => v === null), null, "unknown after the connection dropped");
        const back = await until(current, (v) => v !== null);
        assert.ok(back !== null && back !== before, "listening again, under a new value: what was cached before is dropped");
        await db.ds.query(`UPDATE clients SET name = name`);
        assert.notEqual(await until(current, (v) => v !== back), back, "notifications arrive again");
      });
    }
  });
}
