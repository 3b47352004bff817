// The oidc-provider adapter over TypeORM, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
// every adapter method, expiry, consumption, grant revocation and the purge.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { OidcStore } from "../../src/db/oidc-store.js";
import { adapterFactory } from "../../src/oidc/adapter.js";
import { ClientService } from "../../src/services/clients.js";
import { ClientStore } from "../../src/db/clients.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { databases, pgNotice } from "../helpers/server.js";
import { openTestDb, type TestDb } from "../helpers/database.js";

pgNotice();

for (const kind of databases()) {
  describe(`oidc adapter (${kind})`, () => {
    let db: TestDb;
    let Adapter: ReturnType<typeof adapterFactory>;
    let clients: ClientService;
    let store: OidcStore;

    before(async () => {
      db = await openTestDb(kind);
      store = new OidcStore(db.ds);
      clients = new ClientService(new ClientStore(db.ds), new SecretBox(""));
      Adapter = adapterFactory(store, clients);
    });
    after(() => db.drop());

    it("stores, finds, consumes and destroys a payload", async () => {
      const a = new Adapter("AuthorizationCode");
      await a.upsert("code-1", { jti: "code-1", kind: "AuthorizationCode", grantId: "g1", accountId: "acc-1", exp: 1 }, 60);
      assert.deepEqual(await a.find("code-1"), { jti: "code-1", kind: "AuthorizationCode", grantId: "g1", accountId: "acc-1", exp: 1 });
      await a.consume("code-1");
      const consumed = await a.find("code-1");
      assert.equal(typeof consumed?.consumed, "number");
      await a.destroy("code-1");
      assert.equal(await a.find("code-1"), undefined);
    });

    it("keeps models apart: the same id under two kinds", async () => {
      const at = new Adapter("AccessToken");
      const rt = new Adapter("RefreshToken");
      await at.upsert("same", { kind: "AccessToken" }, 60);
      await rt.upsert("same", { kind: "RefreshToken" }, 60);
      assert.equal((await at.find("same"))?.kind, "AccessToken");
      assert.equal((await rt.find("same"))?.kind, "RefreshToken");
    });

    it("upsert replaces the payload", async () => {
      const s = new Adapter("Session");
      await s.upsert("s1", { uid: "u1", accountId: "a" }, 60);
      await s.upsert("s1", { uid: "u1", accountId: "b" }, 60);
      assert.equal((await s.find("s1"))?.accountId, "b");
    });

    it("finds by uid and by user code", async () => {
      const s = new Adapter("Session");
      await s.upsert("s2", { uid: "uid-2" }, 60);
      assert.equal((await s.findByUid("uid-2"))?.uid, "uid-2");
      const d = new Adapter("DeviceCode");
      await d.upsert("d1", { userCode: "ABCD-EFGH" }, 60);
      assert.equal((await d.findByUserCode("ABCD-EFGH"))?.userCode, "ABCD-EFGH");
      assert.equal(await d.findByUserCode("nope"), undefined);
    });

    it("hides expired payloads and purges them", async () => {
      const a = new Adapter("AccessToken");
      await a.upsert("short", { kind: "AccessToken" }, 1);
      await a.upsert("long", { kind: "AccessToken" }, 3600);
      assert.ok(await a.find("short"));
      const purged = await store.purgeExpired(Date.now() + 2000);
      assert.ok(purged >= 1);
      assert.equal(await a.find("short"), undefined);
      assert.ok(await a.find("long"));
    });

    it("revokes everything of a grant across models", async () => {
      const at = new Adapter("AccessToken");
      const rt = new Adapter("RefreshToken");
      await at.upsert("at-g", { grantId: "grant-x" }, 60);
      await rt.upsert("rt-g", { grantId: "grant-x" }, 60);
      await at.upsert("at-other", { grantId: "grant-y" }, 60);
      await at.revokeByGrantId("grant-x");
      assert.equal(await at.find("at-g"), undefined);
      assert.equal(await rt.find("rt-g"), undefined);
      assert.ok(await at.find("at-other"));
    });

    it("revokes everything of an account", async () => {
      const g = new Adapter("Grant");
      await g.upsert("grant-z", { accountId: "acc-z" }, 60);
      await store.revokeByAccount("acc-z");
      assert.equal(await g.find("grant-z"), undefined);
    });

    it("reads clients from the clients table, and only enabled ones", async () => {
      const { client, secret } = await clients.create({
        name: "Adapter RP",
        redirectUris: ["https://rp.example/cb"],
        type: "confidential",
        tokenEndpointAuthMethod: "client_secret_basic",
      });
      const c = new Adapter("Client");
      const meta = await c.find(client.clientId);
      assert.equal(meta?.client_id, client.clientId);
      assert.equal(meta?.client_secret, secret);
      assert.deepEqual(meta?.redirect_uris, ["https://rp.example/cb"]);
      await clients.setEnabled(client.clientId, false);
      assert.equal(await c.find(client.clientId), undefined);
      await assert.rejects(c.upsert("dyn", {}, 60), /admin page/);
    });

    it("stores payloads as JSON text with unicode intact", async () => {
      const a = new Adapter("Interaction");
      const payload = { params: { login_hint: "zoë@例え.test" }, nested: { list: [1, "two", null] } };
      await a.upsert("i1", payload, 60);
      assert.deepEqual(await a.find("i1"), payload);
    });
  });

  describe(`migrations (${kind})`, () => {
    it("apply on an empty database, revert cleanly and apply again", async () => {
      const db = await openTestDb(kind);
      try {
        const names = ["oidc_payloads", "clients", "accounts", "app_sessions", "login_failures", "server_keys", "vault_items", "vault_files", "blobs", "email_codes", "shares", "share_log"];
        const tables = async () => (await db.ds.createQueryRunner().getTables(names)).length;
        assert.equal(await tables(), names.length);
        assert.equal(await db.ds.showMigrations(), false, "nothing pending");
        for (let i = 0; i < db.ds.migrations.length; i++) await db.ds.undoLastMigration();
        assert.equal(await tables(), 0);
        await db.ds.runMigrations();
        assert.equal(await tables(), names.length);
      } finally {
        await db.drop();
      }
    });
  });
}
