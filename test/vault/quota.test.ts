// The storage quota under attack: parallel uploads, uploads dropped mid-stream, uploads picked and
// never saved, reservations left by a crash, and two server processes sharing one database. The
// room is reserved in the database before any byte is streamed, so none of these gets past it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { sealFile } from "../../src/crypto/index.js";
import { VaultStore } from "../../src/db/vault.js";
import { Agent } from "../helpers/agent.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { readVault, saveItem, signUpHolder, uploadFile, type VaultHolder } from "../helpers/vault.js";

const QUOTA = 300_000;
/** 99 kB sealed: three fit in the quota, a fourth does not. */
const SCAN = 99_000 - 28;
const env = { VAULT_MAX_FILE_BYTES: "250000", VAULT_QUOTA_BYTES: String(QUOTA) };
const COOKIES = ["passport.sid", "passport.sid.sig", "passport.csrf", "passport.csrf.sig"];

/** The same holder's browser, talking to another server process. */
function sameHolderAt(h: VaultHolder, url: string): VaultHolder {
  const agent = new Agent(url);
  for (const n of COOKIES) agent.setCookie(n, h.agent.cookie(n)!);
  agent.csrf = h.agent.csrf;
  return { ...h, agent };
}

async function parallelUploads(holders: VaultHolder[], n: number): Promise<{ status: number; body: any }[]> {
  const sealed = await Promise.all(Array.from({ length: n }, () => crypto.randomBytes(SCAN)));
  return Promise.all(sealed.map((bytes, i) => uploadFile(holders[i % holders.length]!, bytes)));
}

function assertHeld(results: { status: number; body: any }[], usage: number): void {
  const accepted = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status !== 201);
  assert.ok(accepted.length >= 1 && accepted.length <= 3, `${accepted.length} of ${results.length} accepted`);
  for (const r of refused) {
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.equal(r.body.code, "quota_exceeded");
    assert.match(r.body.detail, /vault is full/);
  }
  assert.ok(usage <= QUOTA, `usage ${usage} is within the quota ${QUOTA}`);
}

function blobTemps(s: TestServer): string[] {
  const dir = path.join(s.dataDir, "blobs", ".tmp");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Starts an upload declaring `length` bytes and sends only the first `sent`; the socket stays open. */
function startPartialUpload(h: VaultHolder, base: string, length: number, sent: number): http.ClientRequest {
  const id = crypto.randomUUID();
  const req = http.request(new URL(`/api/vault/files?id=${id}`, base), {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      "content-length": length,
      "x-wrapped-key": `v1.${"A".repeat(16)}.${"B".repeat(64)}`,
      "x-csrf-token": h.agent.csrf,
      cookie: COOKIES.map((n) => `${n}=${h.agent.cookie(n)}`).join("; "),
    },
  });
  req.on("error", () => undefined); // destroyed on purpose
  req.write(crypto.randomBytes(sent));
  return req;
}

/** Uploads without a Content-Length (chunked), as a streaming client may. */
function chunkedUpload(h: VaultHolder, base: string, bytes: Uint8Array): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(`/api/vault/files?id=${crypto.randomUUID()}`, base), {
      method: "POST",
      headers: {
        "content-type": "application/octet-stream",
        "x-wrapped-key": `v1.${"A".repeat(16)}.${"B".repeat(64)}`,
        "x-csrf-token": h.agent.csrf,
        cookie: COOKIES.map((n) => `${n}=${h.agent.cookie(n)}`).join("; "),
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (let i = 0; i < bytes.length; i += 16_384) req.write(bytes.subarray(i, i + 16_384));
    req.end();
  });
}

/** Waits (bounded) until `ready` holds; the server works on its own schedule. */
async function until(ready: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const db of databases()) {
  describe(`vault quota under concurrency (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, env);
    });
    after(() => s.close());

    for (const n of [8, 20]) {
      it(`${n} parallel 99 kB uploads against a 300 kB quota: at most 3 accepted`, async () => {
        const h = await signUpHolder(s.url);
        const results = await parallelUploads([h], n);
        assertHeld(results, (await readVault(h)).usage);
      });
    }

    it("holds the room of an upload in progress, and gives it back when the client drops it", async () => {
      const h = await signUpHolder(s.url);
      const req = startPartialUpload(h, s.url, 250_000, 16_384);
      try {
        await until(() => blobTemps(s).length > 0, "the upload to start streaming");
        const meanwhile = await uploadFile(h, crypto.randomBytes(SCAN));
        assert.equal(meanwhile.status, 413, "the upload in progress holds 250 kB of the 300 kB");
        assert.equal(meanwhile.body.code, "quota_exceeded");
      } finally {
        req.destroy();
      }
      await until(async () => (await uploadFile(h, crypto.randomBytes(SCAN))).status === 201, "the dropped upload's room to come back");
      for (let i = 0; i < 2; i++) assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201, "the whole room is back");
      const v = await readVault(h);
      assert.equal(v.unattached.length, 3);
      assert.ok(v.usage <= QUOTA);
    });

    it("refuses at once an upload that declares more than the room left", async () => {
      const h = await signUpHolder(s.url);
      assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201);
      const big = await uploadFile(h, crypto.randomBytes(240_000));
      assert.equal(big.status, 413);
      assert.equal(big.body.code, "quota_exceeded");
      assert.equal(blobTemps(s).length, 0, "nothing was streamed");
    });

    it("cuts off an upload of undeclared length at the room left, and gives the room back", async () => {
      const h = await signUpHolder(s.url);
      assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201);
      const res = await chunkedUpload(h, s.url, crypto.randomBytes(240_000));
      assert.equal(res.status, 413);
      assert.equal(JSON.parse(res.body).code, "quota_exceeded");
      assert.equal(blobTemps(s).length, 0, "nothing of it is kept");
      for (let i = 0; i < 2; i++) assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201, "its room is back");
    });

    it("an upload picked and never saved stops counting after its window, and cannot be attached then", async () => {
      const h = await signUpHolder(s.url);
      const kept = await uploadFile(h, crypto.randomBytes(SCAN));
      assert.equal((await saveItem(h, "utility_bill", { files: [kept.id] }, { fileIds: [kept.id] })).res.status, 200);
      const abandoned = await uploadFile(h, crypto.randomBytes(SCAN));
      assert.equal(abandoned.status, 201);
      assert.equal((await readVault(h)).usage, 2 * 99_000);

      // The holder closed the tab; the window passes (the upload is made older rather than waiting).
      const window = s.cfg.vault.unattachedTtlSeconds * 1000;
      await s.app.container.ds.query(`UPDATE vault_files SET created_at = created_at - ${window + 1000} WHERE id = '${abandoned.id}'`);
      const v = await readVault(h);
      assert.equal(v.usage, 99_000, "the abandoned upload no longer counts");
      assert.deepEqual(v.unattached, []);
      for (let i = 0; i < 2; i++) assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201, "its room is free");

      const late = await saveItem(h, "bank_statement", { files: [abandoned.id] }, { fileIds: [abandoned.id] });
      assert.equal(late.res.status, 400, "attaching it now would go past the quota");
      assert.match(late.res.json().detail, /add it again/);

      const purged = await s.app.container.vault.collectGarbage();
      assert.ok(purged.files >= 1, "the purge collects it");
      assert.equal((await h.agent.request("GET", `/api/vault/files/${abandoned.id}`)).status, 404);
    });

    it("a reservation left by a crashed process expires", async () => {
      const h = await signUpHolder(s.url);
      const accountId = (await h.agent.request("GET", "/api/account")).json().account.id;
      const store = new VaultStore(s.app.container.ds);
      const now = Date.now();
      // What a process killed mid-upload leaves: a reservation nobody will complete or release.
      const r = await store.reserve(accountId, { min: 250_000, max: 250_000, quota: QUOTA, ttlMs: 600_000, unattachedTtlMs: 3_600_000 }, now);
      assert.ok(r);
      assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 413, "the reservation holds its room");
      assert.ok((await store.purgeReservations(now + 600_001)) >= 1, "the purge drops it once expired");
      assert.equal((await uploadFile(h, crypto.randomBytes(SCAN))).status, 201);
    });
  });
}

if (databases().includes("postgres")) {
  describe("vault quota across two server processes on one PostgreSQL schema", () => {
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      // Two servers behind one load balancer: one schema, one key file, blobs in the database.
      a = await startServer("postgres", { ...env, BLOB_STORE: "database" });
      b = await startServer("postgres", { ...env, BLOB_STORE: "database", DATABASE_SCHEMA: (a.cfg.database as { schema: string }).schema, KEY_FILE: a.cfg.keyFile }, { keepData: true });
    });
    after(async () => {
      await b.close();
      await a.close();
      fs.rmSync(b.dataDir, { recursive: true, force: true });
    });

    it("20 parallel uploads spread over both: at most 3 accepted", async () => {
      const h = await signUpHolder(a.url);
      const results = await parallelUploads([h, sameHolderAt(h, b.url)], 20);
      assertHeld(results, (await readVault(h)).usage);
    });
  });
}
