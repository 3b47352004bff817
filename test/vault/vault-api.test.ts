// The vault API: envelopes in and out, versions and conflicts, files and blobs, limits, quota,
// other holders, and deletion. Runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL, each with
// the local blob store and with an S3 bucket.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Readable } from "node:stream";
import { derivePasswordKeys, deriveRecoveryKeys, openFile, openItem, openVaultWithPassword, openVaultWithRecoveryKey, passwordMaterial } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { databases, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { openVaultItem, readVault, saveItem, signUpHolder, uploadFile } from "../helpers/vault.js";
import { authKeyFor } from "../helpers/accounts.js";
import { RESERVATION_TTL_MS } from "../../src/services/vault.js";
import { blobLeftovers, blobStoreEnv, blobStoreKinds, closeSharedS3, storedBlobs } from "../helpers/blob-stores.js";

after(closeSharedS3);

const passport = { document_no: "P1234567", expiry_date: "2031-01-01" };

for (const [db, store] of databases().flatMap((d) => blobStoreKinds().map((k) => [d, k] as const))) {
  describe(`vault API (${db}, ${store} blobs)`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { VAULT_MAX_FILE_BYTES: "20000", VAULT_QUOTA_BYTES: "50000", ...(await blobStoreEnv(store)) });
    });
    after(() => s.close());

    it("saves a sealed item and returns it for the holder to open", async () => {
      const h = await signUpHolder(s.url);
      const { id, res } = await saveItem(h, "passport", passport);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().version, 1);
      const v = await readVault(h);
      assert.equal(v.items.length, 1);
      assert.equal(v.items[0].id, id);
      assert.equal(v.items[0].verification, "unverified");
      assert.deepEqual(v.items[0].errors, []);
      assert.deepEqual(await openVaultItem(h, v.items[0]), passport);
    });

    it("keeps a version and refuses a stale write with a clear conflict", async () => {
      const h = await signUpHolder(s.url);
      const first = await saveItem(h, "address", { city: "A" });
      const tabA = await saveItem(h, "address", { city: "B" }, { id: first.id, version: 1 });
      assert.equal(tabA.res.json().version, 2);
      const tabB = await saveItem(h, "address", { city: "C" }, { id: first.id, version: 1 });
      assert.equal(tabB.res.status, 409);
      assert.match(tabB.res.json().detail, /changed elsewhere.*version 2/);
      const v = await readVault(h);
      assert.deepEqual(await openVaultItem(h, v.items[0]), { city: "B" }, "nothing was overwritten");
      const dup = await saveItem(h, "address", { city: "D" });
      assert.equal(dup.res.status, 409, "a second new item of the same type is a conflict too");
    });

    it("uploads, attaches, downloads and opens a scan", async () => {
      const h = await signUpHolder(s.url);
      const scan = crypto.randomBytes(15_000);
      const up = await uploadFile(h, scan);
      assert.equal(up.status, 201, JSON.stringify(up.body));
      assert.equal(up.body.sha256, up.sealed.sha256);
      assert.equal(up.body.size, scan.length + 28);
      const { res } = await saveItem(h, "passport", { ...passport, front_side: up.id }, { fileIds: [up.id] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json().files.map((f: { id: string }) => f.id), [up.id]);
      const dl = await h.agent.request("GET", `/api/vault/files/${up.id}`);
      assert.equal(dl.status, 200);
      assert.equal(dl.headers.get("x-content-sha256"), up.sealed.sha256);
      assert.deepEqual(Buffer.from(await openFile(h.vaultKey, up.id, up.sealed.wrappedKey, new Uint8Array(dl.bytes))), scan);
    });

    it("hides other holders' items and files (404)", async () => {
      const a = await signUpHolder(s.url);
      const b = await signUpHolder(s.url);
      const up = await uploadFile(a, crypto.randomBytes(100));
      assert.equal((await b.agent.request("GET", `/api/vault/files/${up.id}`)).status, 404);
      assert.equal((await b.agent.request("DELETE", `/api/vault/files/${up.id}`, { json: {} })).status, 404);
      const taken = await saveItem(b, "utility_bill", { files: [up.id] }, { fileIds: [up.id] });
      assert.equal(taken.res.status, 400, "b cannot attach a's file");
      await saveItem(a, "email", { email: "a@example.org" });
      assert.equal((await readVault(b)).items.length, 0);
    });

    it("refuses a file over the size limit and keeps nothing of it", async () => {
      const h = await signUpHolder(s.url);
      const before = (await storedBlobs(s)).length;
      const up = await uploadFile(h, crypto.randomBytes(20_001));
      assert.equal(up.status, 413);
      assert.match(up.body.detail, /too large/);
      assert.equal((await storedBlobs(s)).length, before);
      assert.deepEqual(await blobLeftovers(s), [], "no temporary file or object left");
    });

    it("enforces the per-holder quota", async () => {
      const h = await signUpHolder(s.url);
      for (let i = 0; i < 2; i++) assert.equal((await uploadFile(h, crypto.randomBytes(19_000))).status, 201);
      const third = await uploadFile(h, crypto.randomBytes(19_000));
      assert.equal(third.status, 413);
      assert.match(third.body.detail, /vault is full/);
      assert.ok((await readVault(h)).usage <= 50_000);
    });

    it("validates the envelope and names the field", async () => {
      const h = await signUpHolder(s.url);
      const id = crypto.randomUUID();
      const good = { id, version: 0, ciphertext: "A".repeat(60), wrappedKey: `v1.${"A".repeat(16)}.${"B".repeat(64)}`, fileIds: [] };
      const cases: [Record<string, unknown>, string][] = [
        [{ ...good, id: "not-a-uuid" }, "id"],
        [{ ...good, version: -1 }, "version"],
        [{ ...good, ciphertext: "short" }, "ciphertext"],
        [{ ...good, ciphertext: "has spaces and + / ".repeat(5) }, "ciphertext"],
        [{ ...good, wrappedKey: "v1.x.y" }, "wrappedKey"],
        [{ ...good, fileIds: ["nope"] }, "fileIds.0"],
        [{ ...good, fileIds: [crypto.randomUUID()] }, "fileIds"],
      ];
      for (const [body, field] of cases) {
        const res = await h.agent.request("PUT", "/api/vault/items/passport", { json: body });
        assert.equal(res.status, 400, `${field}: ${res.text}`);
        assert.ok(field in res.json().fields, `${field}: ${res.text}`);
      }
      assert.equal((await h.agent.request("PUT", "/api/vault/items/diary", { json: good })).status, 404);
      const big = { ...good, ciphertext: "A".repeat(100_000) };
      assert.equal((await h.agent.request("PUT", "/api/vault/items/passport", { json: big })).status, 400);
      const noKey = await h.agent.request("POST", `/api/vault/files?id=${crypto.randomUUID()}`, { raw: new Uint8Array(50) });
      assert.equal(noKey.status, 400);
      assert.ok("x-wrapped-key" in noKey.json().fields);
      const badType = await h.agent.request("POST", `/api/vault/files?id=${crypto.randomUUID()}`, { raw: new Uint8Array(50), headers: { "content-type": "image/png", "x-wrapped-key": good.wrappedKey } });
      assert.equal(badType.status, 400);
      assert.equal((await h.agent.request("GET", "/api/vault/files/not-a-uuid")).status, 400);
    });

    it("refuses too many files on one document", async () => {
      const h = await signUpHolder(s.url);
      const ids = Array.from({ length: 41 }, () => crypto.randomUUID());
      const { res } = await saveItem(h, "bank_statement", {}, { fileIds: ids });
      assert.equal(res.status, 400);
      assert.ok(res.json().fields.fileIds);
    });

    it("needs a session and the CSRF token", async () => {
      const h = await signUpHolder(s.url);
      const anon = await fetch(`${s.url}/api/vault`);
      assert.equal(anon.status, 401);
      const forged = await h.agent.request("PUT", "/api/vault/items/email", { json: {}, headers: { "x-csrf-token": "forged" } });
      assert.equal(forged.status, 403);
    });

    it("removes detached and deleted files' blobs", async () => {
      const h = await signUpHolder(s.url);
      const a = await uploadFile(h, crypto.randomBytes(1000));
      const b = await uploadFile(h, crypto.randomBytes(1000));
      const first = await saveItem(h, "utility_bill", { files: [a.id, b.id] }, { fileIds: [a.id, b.id] });
      assert.ok((await storedBlobs(s)).includes(a.sealed.sha256));
      await saveItem(h, "utility_bill", { files: [b.id] }, { id: first.id, version: 1, fileIds: [b.id] });
      assert.ok(!(await storedBlobs(s)).includes(a.sealed.sha256), "a's blob went with it");
      assert.equal((await h.agent.request("DELETE", "/api/vault/items/utility_bill?version=1", { json: {} })).status, 409, "stale delete");
      assert.equal((await h.agent.request("DELETE", "/api/vault/items/utility_bill?version=2", { json: {} })).status, 204);
      assert.ok(!(await storedBlobs(s)).includes(b.sealed.sha256));
      assert.equal((await readVault(h)).items.length, 0);
    });

    it("collects uploads never attached, and orphan blobs", async () => {
      const h = await signUpHolder(s.url);
      const up = await uploadFile(h, crypto.randomBytes(500));
      const gc = await s.app.container.vault.collectGarbage(0, Date.now() + 1000);
      assert.ok(gc.files >= 1);
      assert.equal((await h.agent.request("GET", `/api/vault/files/${up.id}`)).status, 404);
      assert.ok(!(await storedBlobs(s)).includes(up.sealed.sha256));
    });

    it("collects an orphan blob only once it is older than an upload may take", async () => {
      const orphan = await s.app.container.blobs.put(Readable.from([crypto.randomBytes(300)]), { maxBytes: 1000 });
      await s.app.container.vault.collectGarbage();
      assert.ok((await storedBlobs(s)).includes(orphan.hash), "a young blob may be an upload about to record its file");
      const gc = await s.app.container.vault.collectGarbage(undefined, Date.now() + RESERVATION_TTL_MS + 1000);
      assert.ok(gc.blobs >= 1);
      assert.ok(!(await storedBlobs(s)).includes(orphan.hash), "collected once old");
    });

    it("after a password reset with the recovery key, every item and scan still opens", async () => {
      const h = await signUpHolder(s.url);
      const scan = crypto.randomBytes(3000);
      const up = await uploadFile(h, scan);
      await saveItem(h, "passport", { ...passport, front_side: up.id }, { fileIds: [up.id] });
      const fresh = new Agent(s.url);
      await fresh.get("/recover");
      const { authKey: recoveryAuthKey } = await deriveRecoveryKeys(h.recoveryKey);
      const start = await fresh.request("POST", "/api/recovery/start", { json: { email: h.email, recoveryAuthKey } });
      const vaultKey = await openVaultWithRecoveryKey(h.recoveryKey, start.json().recoveryWrappedVaultKey);
      const next = await passwordMaterial("a brand new password", TEST_KDF_ITERATIONS, vaultKey);
      assert.equal((await fresh.request("POST", "/api/recovery/finish", { json: { email: h.email, recoveryAuthKey, ...next } })).status, 204);

      // Another browser signs in with the new password and opens everything.
      const other = new Agent(s.url);
      await other.get("/signin");
      const pre = await other.request("POST", "/api/prelogin", { json: { email: h.email } });
      const { authKey } = await derivePasswordKeys("a brand new password", pre.json().kdf);
      const si = await other.request("POST", "/api/session", { json: { email: h.email, authKey } });
      const key = await openVaultWithPassword("a brand new password", pre.json().kdf, si.json().wrappedVaultKey);
      const v = (await other.request("GET", "/api/vault")).json();
      assert.deepEqual(await openItem(key, v.items[0], v.items[0]), { ...passport, front_side: up.id });
      const dl = await other.request("GET", `/api/vault/files/${up.id}`);
      assert.deepEqual(Buffer.from(await openFile(key, up.id, v.items[0].files[0].wrappedKey, new Uint8Array(dl.bytes))), scan);
    });

    it("account deletion removes every item, file and blob", async () => {
      const h = await signUpHolder(s.url);
      const up = await uploadFile(h, crypto.randomBytes(700));
      await saveItem(h, "passport", passport, { fileIds: [up.id] });
      const km = (await h.agent.request("GET", "/api/account")).json();
      const authKey = await authKeyFor(h.password, km.kdf);
      assert.equal((await h.agent.request("POST", "/api/account/delete", { json: { authKey } })).status, 204);
      assert.ok(!(await storedBlobs(s)).includes(up.sealed.sha256));
      const rows = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM vault_items WHERE account_id = '${km.account.id}'`);
      assert.equal(Number(rows[0].n), 0);
      const files = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM vault_files WHERE account_id = '${km.account.id}'`);
      assert.equal(Number(files[0].n), 0);
    });
  });
}
