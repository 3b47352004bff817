// The oidc-provider adapter over TypeORM, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
// every adapter method, expiry, consumption, grant revocation and the purge; hashed ids (no usable
// token in a copy of the table) and their migration; a disabled client's artifacts refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import type { DataSource } from "typeorm";
import { OidcStore, storedId } from "../../src/db/oidc-store.js";
import { inTransaction } from "../../src/db/transaction.js";
import { OidcPayloadEntity } from "../../src/db/entities.js";
import { HashedArtifactIds1764530000000 } from "../../migrations/1764530000000-hashed-artifact-ids.js";
import { adapterFactory } from "../../src/oidc/adapter.js";
import { ClientService } from "../../src/services/clients.js";
import { verifyClientSecret } from "../../src/services/client-secrets.js";
import { ClientStore } from "../../src/db/clients.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { databases, pgNotice } from "../helpers/server.js";
import { openTestDb, type TestDb } from "../helpers/database.js";
import { sqliteConnection } from "../../src/db/driver-handles.js";

pgNotice();

/**
 * The statements' texts the store sends until stop: through the pool on PostgreSQL; on SQLite the
 * reads (`all`) run on the connection's prepared statements, cached ones too.
 */
function spyStatements(ds: DataSource): { sent: string[]; stop(): void } {
  const sent: string[] = [];
  const sqlite = sqliteConnection(ds);
  if (sqlite) {
    const proto = Object.getPrototypeOf(sqlite.prepare("SELECT 1")) as { all: (...a: unknown[]) => unknown };
    const all = proto.all;
    proto.all = function (this: { source: string }, ...a: unknown[]) { sent.push(this.source); return all.apply(this, a); };
    return { sent, stop: () => void (proto.all = all) };
  }
  const pool = (ds.driver as unknown as { master?: { query: (...a: unknown[]) => unknown } }).master;
  const query = pool?.query;
  if (pool && query) pool.query = function (this: unknown, ...a: unknown[]) { sent.push(String((a[0] as { text?: string }).text ?? a[0])); return query.apply(this, a); };
  return { sent, stop: () => void (pool && query && (pool.query = query)) };
}

for (const kind of databases()) {
  describe(`oidc adapter (${kind})`, () => {
    let db: TestDb;
    let Adapter: ReturnType<typeof adapterFactory>["Adapter"];
    let clients: ClientService;
    let store: OidcStore;

    before(async () => {
      db = await openTestDb(kind);
      store = new OidcStore(db.ds);
      clients = new ClientService(new ClientStore(db.ds), new SecretBox(""));
      Adapter = adapterFactory(store, clients).Adapter;
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

    it("spends a single-use artifact once, whoever asks at the same time; the others end its grant", async () => {
      const code = new Adapter("AuthorizationCode");
      const access = new Adapter("AccessToken");
      await new Adapter("Grant").upsert("g-race", { jti: "g-race", kind: "Grant", accountId: "acc-1" }, 60);
      await code.upsert("code-race", { jti: "code-race", kind: "AuthorizationCode", grantId: "g-race", accountId: "acc-1" }, 60);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => code.consume("code-race")));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, "exactly one spends it");
      // The winner's tokens are written after its consume; the replays end the grant either way.
      await access.upsert("at-race", { jti: "at-race", kind: "AccessToken", grantId: "g-race", accountId: "acc-1" }, 60);
      for (const r of results.filter((r) => r.status === "rejected")) {
        const err = (r as PromiseRejectedResult).reason as { error?: string; error_description?: string };
        assert.equal(err.error, "invalid_grant");
        assert.equal(err.error_description, "grant request is invalid");
      }
      assert.equal(await new Adapter("Grant").find("g-race"), undefined, "the grant ended");
      assert.equal(await code.find("code-race"), undefined);

      // A pushed authorization request spent twice is an invalid request_uri, as one used later is.
      const par = new Adapter("PushedAuthorizationRequest");
      await par.upsert("par-race", { jti: "par-race", kind: "PushedAuthorizationRequest" }, 60);
      const both = await Promise.allSettled([par.consume("par-race"), par.consume("par-race")]);
      assert.equal(both.filter((r) => r.status === "fulfilled").length, 1);
      assert.equal(((both.find((r) => r.status === "rejected") as PromiseRejectedResult).reason as { error?: string }).error, "invalid_request_uri");
      await assert.rejects(code.consume("never-stored"), { error: "invalid_grant" });
    });

    it("spends several values asked for at once each once (one statement per eight values on PostgreSQL)", async () => {
      for (const id of ["spend-a", "spend-b"]) await store.upsert("RefreshToken", id, { jti: id, kind: "RefreshToken", grantId: "g-spend" }, 60);
      const spend = (id: string) => store.consume("RefreshToken", id);
      assert.deepEqual(await Promise.all([spend("spend-a"), spend("spend-b"), spend("spend-a"), spend("missing")]), [true, true, false, false]);
      assert.deepEqual(await Promise.all([spend("spend-a"), spend("spend-b")]), [false, false]);
      assert.equal(typeof (await store.find("RefreshToken", { id: "spend-b" }))?.consumed, "number");
      // More than one statement's worth at once: each spent once, whichever part it was sent in.
      const many = Array.from({ length: 11 }, (_, i) => `spend-many-${i}`);
      for (const id of many) await store.upsert("RefreshToken", id, { jti: id, kind: "RefreshToken", grantId: "g-spend" }, 60);
      assert.deepEqual(await Promise.all([...many, ...many].map(spend)), [...many.map(() => true), ...many.map(() => false)]);
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
      assert.ok(verifyClientSecret(meta?.client_secret, secret), "the adapter hands oidc-provider the secret's hash");
      assert.deepEqual(meta?.redirect_uris, ["https://rp.example/cb"]);
      await clients.setEnabled(client.clientId, false);
      assert.equal(await c.find(client.clientId), undefined);
      await assert.rejects(c.upsert("dyn", {}, 60), /admin page/);
    });

    it("stores payloads as JSON text with unicode intact", async () => {
      const a = new Adapter("Interaction");
      const payload = { params: { login_hint: "zoë@例え.test" }, nested: { list: [1, "two", null] } };
      await a.upsert("i1", payload, 60);
      // The id comes back as `jti`, as oidc-provider's payloads always carry it.
      assert.deepEqual(await a.find("i1"), { jti: "i1", ...payload });
    });

    it("keeps no usable token in the table: ids hashed, no copy of the id or the session cookie in the payload", async () => {
      const token = "tok_9J3kq7wV2mXb8LzR1nP4sT6yU0cE5aHd";
      const cookie = "ses_Q8w2Lp5Rt7Yx1Vb3Nm6Kj9Hg4Fd0SaZc";
      const uid = "int_M3n5B7v9C1x2Z4l6K8j0H2g4F6d8S0aQ";
      await new Adapter("AccessToken").upsert(token, { jti: token, kind: "AccessToken", grantId: "grant-h", accountId: "acc-h" }, 60);
      await new Adapter("Session").upsert(cookie, { jti: cookie, kind: "Session", uid: "session-uid-h", accountId: "acc-h" }, 60);
      const interaction = { jti: uid, kind: "Interaction", returnTo: `https://op.example/auth/${uid}`, session: { uid: "session-uid-h", cookie, accountId: "acc-h" } };
      await new Adapter("Interaction").upsert(uid, interaction, 60);
      const rows = (await db.ds.getRepository(OidcPayloadEntity).find()).map((r) => JSON.stringify(r));
      for (const secret of [token, cookie, uid]) assert.ok(!rows.some((r) => r.includes(secret)), `${secret.slice(0, 4)} is nowhere in the table`);
      const hashed = await db.ds.getRepository(OidcPayloadEntity).findOneBy({ kind: "AccessToken", id: storedId("AccessToken", token) });
      assert.equal(hashed?.id, crypto.createHash("sha256").update(token).digest("base64url"));
      // Everything comes back as oidc-provider wrote it, except the cookie value it never reads.
      assert.equal((await new Adapter("AccessToken").find(token))?.jti, token);
      assert.equal((await new Adapter("Session").find(cookie))?.jti, cookie);
      assert.equal((await new Adapter("Session").findByUid("session-uid-h"))?.accountId, "acc-h");
      const { session, ...rest } = interaction;
      assert.deepEqual(await new Adapter("Interaction").find(uid), { ...rest, session: { uid: session.uid, accountId: session.accountId } });
      await new Adapter("AccessToken").destroy(token);
      assert.equal(await new Adapter("AccessToken").find(token), undefined);
    });

    it("refuses a disabled client's artifacts at once, even through another process's cache, and finds them again once enabled", async () => {
      const { client } = await clients.create({ name: "Suspended RP", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" });
      // Another process (the CLI) with its own cache: the store must not depend on this one's. The
      // cache here never learns of the change (as on PostgreSQL before the NOTIFY arrives).
      const frozen = { current: async () => "frozen", close: async () => undefined };
      const cli = new ClientService(new ClientStore(db.ds), new SecretBox(""), 60_000);
      const cached = new ClientService(new ClientStore(db.ds), new SecretBox(""), 60_000, false, frozen);
      assert.ok(await cached.findEnabledMetadata(client.clientId));
      const at = new Adapter("AccessToken");
      await at.upsert("at-suspended-0123456789", { clientId: client.clientId, grantId: "g-s", accountId: "a-s" }, 60);
      await new Adapter("Interaction").upsert("int-suspended-0123456789", { params: { client_id: client.clientId } }, 60);
      await cli.setEnabled(client.clientId, false);
      assert.ok(await cached.findEnabledMetadata(client.clientId), "the other process's cache still has it");
      assert.equal(await at.find("at-suspended-0123456789"), undefined);
      assert.equal(await new Adapter("Interaction").find("int-suspended-0123456789"), undefined);
      await cli.setEnabled(client.clientId, true);
      assert.equal((await at.find("at-suspended-0123456789"))?.grantId, "g-s");
      await cli.delete(client.clientId);
      assert.equal(await db.ds.getRepository(OidcPayloadEntity).countBy({ clientId: client.clientId }), 0, "deleting the client deletes its artifacts");
    });

    it("reads a token value as every token kind with its grant, applying each find's checks", async () => {
      const { client } = await clients.create({ name: "Token RP", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" });
      const c = client.clientId;
      await store.upsert("Grant", "grant-ft", { clientId: c, accountId: "acc-ft" }, 60);
      await store.upsert("AccessToken", "token-ft-0123456789", { clientId: c, grantId: "grant-ft", accountId: "acc-ft" }, 60);
      let found = await store.findToken("token-ft-0123456789");
      assert.deepEqual([...found.tokens.keys()], ["AccessToken"]);
      assert.equal(found.tokens.get("AccessToken")?.jti, "token-ft-0123456789");
      assert.deepEqual(found.grants.get("grant-ft"), await store.find("Grant", { id: "grant-ft" }));
      assert.equal(found.grants.get("grant-ft")?.accountId, "acc-ft");

      // A grant that is gone (revoked) or expired comes back as null: the token's grant is unusable.
      await store.upsert("RefreshToken", "token-ft2-0123456789", { clientId: c, grantId: "grant-gone" }, 60);
      found = await store.findToken("token-ft2-0123456789");
      assert.equal(found.tokens.get("RefreshToken")?.grantId, "grant-gone");
      assert.equal(found.grants.get("grant-gone"), null);
      await store.upsert("Grant", "grant-old", { clientId: c }, 1);
      await store.upsert("AccessToken", "token-ft3-0123456789", { clientId: c, grantId: "grant-old" }, 60);
      const realNow = Date.now;
      Date.now = () => realNow() + 2000;
      try {
        assert.equal((await store.findToken("token-ft3-0123456789")).grants.get("grant-old"), null);
      } finally {
        Date.now = realNow;
      }

      // A client-credentials token has no grant; an unknown value finds nothing.
      await store.upsert("ClientCredentials", "token-ft4-0123456789", { clientId: c }, 60);
      found = await store.findToken("token-ft4-0123456789");
      assert.ok(found.tokens.get("ClientCredentials"));
      assert.equal(found.grants.size, 0);
      assert.equal((await store.findToken("no-such-token-0123456789")).tokens.size, 0);

      // A disabled client's token and grant are refused, as by find.
      await clients.setEnabled(c, false);
      found = await store.findToken("token-ft-0123456789");
      assert.equal(found.tokens.size, 0);
      await clients.setEnabled(c, true);
      assert.ok((await store.findToken("token-ft-0123456789")).grants.get("grant-ft"));
    });

    it("answers parallel token reads each with its own rows, one statement per eight values", async () => {
      const c = (await clients.create({ name: "Parallel reads", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" })).client.clientId;
      const values = Array.from({ length: 12 }, (_, i) => `parallel-read-${i}-0123456789`);
      for (const [i, v] of values.entries()) {
        await store.upsert("Grant", `grant-pr-${i}`, { clientId: c, accountId: `acc-${i}` }, 60);
        await store.upsert(i % 2 ? "RefreshToken" : "AccessToken", v, { clientId: c, grantId: `grant-pr-${i}`, n: i }, 60);
      }
      const asked = [...values, values[3]!, "parallel-read-missing-0123456789"];
      const spy = spyStatements(db.ds);
      let found;
      try {
        found = await Promise.all(asked.map((v) => store.findToken(v)));
      } finally {
        spy.stop();
      }
      const { sent } = spy;
      for (const [j, v] of asked.entries()) {
        const i = values.indexOf(v);
        if (i < 0) {
          assert.equal(found[j]!.tokens.size, 0, "an unknown value finds nothing");
          continue;
        }
        const kind = i % 2 ? "RefreshToken" : "AccessToken";
        assert.deepEqual([...found[j]!.tokens.keys()], [kind], v);
        assert.equal(found[j]!.tokens.get(kind)?.n, i);
        assert.equal(found[j]!.tokens.get(kind)?.jti, v, "each answer carries its own value as jti");
        assert.equal(found[j]!.grants.get(`grant-pr-${i}`)?.accountId, `acc-${i}`);
      }
      // 13 values (one asked twice): a statement for eight, one for five, each written for its count.
      assert.deepEqual(sent.map((q) => q.match(/\$\d+|\?/g)!.length).sort(), [5, 8], `statements for ${asked.length} parallel reads`);
    });

    it("never answers a token read from before a change: own writes, another connection's commit, a rolled-back transaction", async () => {
      const c = (await clients.create({ name: "Remembered reads", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" })).client.clientId;
      const value = "remembered-0123456789";
      const live = async () => (await store.findToken(value)).tokens.get("AccessToken")?.n;
      await store.upsert("Grant", "grant-rm", { clientId: c, accountId: "acc-rm" }, 60);
      await store.upsert("AccessToken", value, { clientId: c, grantId: "grant-rm", n: 1 }, 60);
      assert.equal(await live(), 1);
      assert.equal(await live(), 1, "read again, unchanged");

      // This process writes (a token's payload changes): the next read sees it.
      await store.upsert("AccessToken", value, { clientId: c, grantId: "grant-rm", n: 2 }, 60);
      assert.equal(await live(), 2);

      // Another connection (the CLI, another process) revokes: refused at the next read.
      if (db.config.type === "sqlite") {
        const other = new Database(db.config.file);
        try {
          other.prepare(`UPDATE "clients" SET "enabled" = 0 WHERE "client_id" = ?`).run(c);
          assert.equal(await live(), undefined, "the client disabled by another connection");
          other.prepare(`UPDATE "clients" SET "enabled" = 1 WHERE "client_id" = ?`).run(c);
          assert.equal(await live(), 2);
          other.prepare(`DELETE FROM "oidc_payloads" WHERE "grant_id" = ?`).run("grant-rm");
          assert.equal(await live(), undefined, "the token deleted by another connection");
        } finally {
          other.close();
        }
        await store.upsert("AccessToken", value, { clientId: c, grantId: "grant-rm", n: 3 }, 60);
      }

      // A write inside a transaction that rolls back: what it showed is not kept.
      const before = await live();
      await db.ds
        .transaction(async (m) => {
          await m.query(`DELETE FROM "oidc_payloads" WHERE "grant_id" = 'grant-rm' AND "kind" = 'AccessToken'`);
          // On SQLite the store reads through the same connection, so it sees the delete for now.
          if (db.config.type === "sqlite") assert.equal(await live(), undefined, "inside the transaction");
          throw new Error("roll back");
        })
        .catch((err: Error) => assert.equal(err.message, "roll back"));
      assert.equal(await live(), before, "the rolled-back delete changed nothing");
      await store.revokeByGrantId("grant-rm");
      assert.equal(await live(), undefined, "revoked through the store");
    });

    it("writes parallel upserts together, each one resolved once it is stored, the later of two writes of a row winning", async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `batched-${i}-0123456789`);
      await Promise.all([
        ...ids.map((id, i) => store.upsert("AccessToken", id, { n: i }, 60)),
        // The same row twice in one batch: one statement cannot write it twice, so the batch goes in order.
        store.upsert("Session", "batched-session-0123456789", { uid: "u-1" }, 60),
        store.upsert("Session", "batched-session-0123456789", { uid: "u-2" }, 60),
      ]);
      for (const [i, id] of ids.entries()) assert.equal((await store.find("AccessToken", { id }))?.n, i);
      assert.equal((await store.find("Session", { id: "batched-session-0123456789" }))?.uid, "u-2");
    });

    it("writes a batch of distinct rows in one statement: up to eight as values, more as arrays", async () => {
      const spy = spyStatements(db.ds);
      const batch = (n: number) => Array.from({ length: n }, (_, i) => `rows-${n}-${i}-0123456789`);
      try {
        for (const ids of [batch(5), batch(13)]) {
          await Promise.all(ids.map((id, i) => store.upsert(i % 2 ? "RefreshToken" : "AccessToken", id, { grantId: `g-rows-${ids.length}`, n: i }, 60)));
          for (const [i, id] of ids.entries()) assert.equal((await store.find(i % 2 ? "RefreshToken" : "AccessToken", { id }))?.n, i, id);
        }
      } finally {
        spy.stop();
      }
      if (db.config.type !== "postgres") return;
      const inserts = spy.sent.filter((q) => q.startsWith("INSERT"));
      assert.equal(inserts.length, 2, "one statement per batch");
      assert.equal(inserts[0]!.match(/\$\d+/g)!.length, 5 * 10, "five rows of ten values");
      assert.match(inserts[1]!, /unnest/, "thirteen rows as arrays");
    });

    it("writes a turn's spends and new rows as one statement on PostgreSQL, each answered as if sent alone", async () => {
      const spy = spyStatements(db.ds);
      try {
        // (spends, rows): both as values; the spends as arrays; the rows as arrays.
        for (const [spends, rows] of [[2, 3], [10, 2], [2, 12]] as const) {
          const tag = `sw-${spends}-${rows}`;
          const old = Array.from({ length: spends }, (_, i) => `${tag}-rt-${i}-0123456789`);
          const minted = Array.from({ length: rows }, (_, i) => `${tag}-at-${i}-0123456789`);
          for (const id of old) await store.upsert("RefreshToken", id, { grantId: tag }, 60);
          assert.equal(await store.consume("RefreshToken", old[0]!), true, "spent before the turn");
          const sentBefore = spy.sent.length;
          const answers = await Promise.all([
            ...old.map((id) => store.consume("RefreshToken", id)),
            store.consume("RefreshToken", old[1]!), // asked twice in one turn: spent once
            ...minted.map((id, i) => store.upsert("AccessToken", id, { grantId: tag, n: i }, 60)),
          ]);
          const turn = spy.sent.slice(sentBefore); // every statement the turn sent, before the reads below
          assert.deepEqual(answers, [false, ...old.slice(1).map(() => true), false, ...minted.map(() => undefined)], tag);
          for (const id of old) assert.ok((await store.find("RefreshToken", { id }))?.consumed, `${id} spent`);
          for (const [i, id] of minted.entries()) assert.equal((await store.find("AccessToken", { id }))?.n, i, id);
          if (db.config.type !== "postgres") continue;
          assert.equal(turn.length, 1, `${tag}: the turn sent ${turn.length} statements`);
          assert.match(turn[0]!, /^WITH spent AS \(UPDATE .*written AS \(INSERT INTO/, `${tag}: one statement for the turn`);
          if (spends > 8) assert.match(turn[0]!, /IN \(SELECT \* FROM unnest\(\$2::varchar\[\], \$3::varchar\[\]\)\)/, `${tag}: spends as arrays`);
          if (rows > 8) assert.match(turn[0]!, /INSERT INTO .* SELECT \* FROM unnest\(\$\d+::varchar\[\]/, `${tag}: rows as arrays`);
        }
      } finally {
        spy.stop();
      }
      // A row spent and written in one turn: one statement cannot do both, so in order (the write last).
      await store.upsert("RefreshToken", "sw-same-0123456789", { n: 1 }, 60);
      const [won] = await Promise.all([store.consume("RefreshToken", "sw-same-0123456789"), store.upsert("RefreshToken", "sw-same-0123456789", { n: 2 }, 60)]);
      assert.equal(won, true);
      const row = await store.find("RefreshToken", { id: "sw-same-0123456789" });
      assert.equal(row?.n, 2);
      assert.equal(row?.consumed, undefined, "the later write replaced the row");
    });

    it("a row that cannot be written fails its own upsert and not the others of its batch", async () => {
      const results = await Promise.allSettled([
        store.upsert("AccessToken", "fine-1-0123456789", { ok: 1 }, 60),
        // kind is NOT NULL: this row fails, in the batch and again on its own.
        store.upsert(null as unknown as string, "bad-0123456789", { ok: 2 }, 60),
        store.upsert("AccessToken", "fine-2-0123456789", { ok: 3 }, 60),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.equal((await store.find("AccessToken", { id: "fine-1-0123456789" }))?.ok, 1);
      assert.equal((await store.find("AccessToken", { id: "fine-2-0123456789" }))?.ok, 3);
    });

    it("keeps a spend and a new token made while another request's transaction is open, when that transaction rolls back", async () => {
      await store.upsert("RefreshToken", "spent-during-tx-0123456789", { grantId: "g-tx" }, 60);
      let open = false;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const failing = inTransaction(db.ds, async (m) => {
        await m.getRepository(OidcPayloadEntity).delete({ grantId: "g-unrelated" });
        open = true;
        await held;
        throw new Error("this request failed");
      });
      while (!open) await new Promise((resolve) => setImmediate(resolve));
      // Another request meanwhile. SQLite has one connection: run now, these would be inside that transaction.
      const spent = store.consume("RefreshToken", "spent-during-tx-0123456789");
      const minted = store.upsert("AccessToken", "minted-during-tx-0123456789", { ok: 1 }, 60);
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await assert.rejects(failing, /this request failed/);
      assert.equal(await spent, true);
      await minted;
      assert.ok((await store.find("RefreshToken", { id: "spent-during-tx-0123456789" }))?.consumed, "still spent");
      assert.equal((await store.find("AccessToken", { id: "minted-during-tx-0123456789" }))?.ok, 1, "still stored");
      assert.equal(await store.consume("RefreshToken", "spent-during-tx-0123456789"), false, "not spendable again");
    });

    it("spends in the same turn as other writes each answer for themselves, also when a row of their batch fails", async () => {
      await store.upsert("AuthorizationCode", "batched-code-0123456789", { grantId: "g-batched" }, 60);
      // On SQLite the spends join the upserts' batch; the bad row fails it whole, so every write is
      // run again alone: the code must still be spent exactly once.
      const results = await Promise.allSettled([
        store.consume("AuthorizationCode", "batched-code-0123456789"),
        store.upsert(null as unknown as string, "bad-batched-0123456789", { ok: 0 }, 60),
        store.consume("AuthorizationCode", "batched-code-0123456789"),
        store.upsert("AccessToken", "after-spend-0123456789", { ok: 1 }, 60),
      ]);
      assert.deepEqual(
        results.map((r) => (r.status === "fulfilled" ? r.value : "rejected")),
        [true, "rejected", false, undefined],
      );
      assert.ok((await store.find("AuthorizationCode", { id: "batched-code-0123456789" }))?.consumed, "spent");
      assert.equal((await store.find("AccessToken", { id: "after-spend-0123456789" }))?.ok, 1);
    });
  });

  describe(`migrations (${kind})`, () => {
    it("apply on an empty database, revert cleanly and apply again", async () => {
      const db = await openTestDb(kind);
      try {
        const names = ["oidc_payloads", "clients", "accounts", "app_sessions", "attempt_counters", "server_keys", "vault_items", "vault_files", "blobs", "email_codes", "shares", "share_log"];
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

    it("an upgrade hashes the ids of existing artifacts, and tokens and sessions keep working", async () => {
      const db = await openTestDb(kind);
      try {
        const q = db.ds.createQueryRunner();
        const migration = new HashedArtifactIds1764530000000();
        await migration.down(q);
        const clientsTable = new ClientService(new ClientStore(db.ds), new SecretBox(""));
        const { client } = await clientsTable.create({ name: "Old RP", redirectUris: ["https://rp.example/cb"], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic" });
        const token = "old_AccessToken_q7wV2mXb8LzR1nP4sT6yU0cE5";
        const cookie = "old_Session_Lp5Rt7Yx1Vb3Nm6Kj9Hg4Fd0SaZc";
        const uid = "old_Interaction_v9C1x2Z4l6K8j0H2g4F6d8S0";
        const far = Date.now() + 3_600_000;
        // Rows as the previous version wrote them: raw ids, `jti` in the payload, no client_id.
        const old = [
          { kind: "AccessToken", id: token, payload: JSON.stringify({ jti: token, kind: "AccessToken", clientId: client.clientId, grantId: "g-old", accountId: "acc-old" }), grantId: "g-old", accountId: "acc-old", expiresAt: far },
          { kind: "Session", id: cookie, payload: JSON.stringify({ jti: cookie, kind: "Session", uid: "uid-old", accountId: "acc-old" }), uid: "uid-old", accountId: "acc-old", expiresAt: far },
          { kind: "Interaction", id: uid, payload: JSON.stringify({ jti: uid, kind: "Interaction", returnTo: `https://op.example/auth/${uid}`, params: { client_id: client.clientId }, session: { uid: "uid-old", cookie } }), expiresAt: far },
          { kind: "Grant", id: "g-old", payload: JSON.stringify({ jti: "g-old", kind: "Grant", clientId: client.clientId, accountId: "acc-old" }), accountId: "acc-old", expiresAt: far },
        ];
        const t = (name: string) => db.ds.driver.escape(name);
        const p = kind === "postgres" ? (i: number) => `$${i}` : () => "?";
        for (const r of old) {
          await db.ds.query(
            `INSERT INTO ${t("oidc_payloads")} (${["kind", "id", "payload", "grant_id", "uid", "account_id", "expires_at"].map(t).join(", ")}) VALUES (${[1, 2, 3, 4, 5, 6, 7].map(p).join(", ")})`,
            [r.kind, r.id, r.payload, r.grantId ?? null, r.uid ?? null, r.accountId ?? null, r.expiresAt],
          );
        }
        await migration.up(q);
        await q.release();
        const dump = JSON.stringify(await db.ds.query(`SELECT * FROM ${t("oidc_payloads")}`));
        for (const secret of [token, cookie, uid]) assert.ok(!dump.includes(secret), `${secret.slice(0, 15)} is nowhere in the table`);
        const { Adapter: A } = adapterFactory(new OidcStore(db.ds), clientsTable);
        assert.equal((await new A("AccessToken").find(token))?.grantId, "g-old");
        assert.equal((await new A("Session").find(cookie))?.accountId, "acc-old");
        assert.equal((await new A("Interaction").find(uid))?.returnTo, `https://op.example/auth/${uid}`);
        assert.equal((await new A("Grant").find("g-old"))?.jti, "g-old");
        await clientsTable.delete(client.clientId);
        assert.equal(await new A("AccessToken").find(token), undefined, "the client_id column was filled in");
        assert.equal(await new A("Grant").find("g-old"), undefined);
        assert.ok(await new A("Session").find(cookie));
      } finally {
        await db.drop();
      }
    });
  });
}
