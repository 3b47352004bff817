// `passport backup` while the server runs and uploads keep coming, `passport restore` into a
// fresh folder, and a server started on the restored data where the holder signs in and opens a
// scan. Local blobs are restored into S3, S3 blobs into a local folder and blobs kept in the
// database into a local folder, so every store is read and written. On PostgreSQL, both commands refuse and name pg_dump.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { derivePasswordKeys, openFile, openItem, openVaultWithPassword } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { closeSharedS3, sharedS3, storedBlobs, type StoreKind } from "../helpers/blob-stores.js";
import { runCli } from "../helpers/cli.js";
import { startServer, testEnv, type TestServer } from "../helpers/server.js";
import { saveItem, signUpHolder, uploadFile } from "../helpers/vault.js";

after(closeSharedS3);

const temp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `passport-${name}-`));

/** Signs in from a new browser with the password alone, and opens the vault. */
async function signInAndOpen(url: string, email: string, password: string) {
  const agent = new Agent(url);
  await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email } });
  const { authKey } = await derivePasswordKeys(password, pre.json().kdf);
  const si = await agent.request("POST", "/api/session", { json: { email, authKey } });
  assert.equal(si.status, 200, si.text);
  const key = await openVaultWithPassword(password, pre.json().kdf, si.json().wrappedVaultKey);
  return { agent, key };
}

async function envFor(store: StoreKind | "database", dataDir: string): Promise<Record<string, string>> {
  const blobs = store === "s3" ? (await sharedS3()).env() : store === "database" ? { BLOB_STORE: "database" } : {};
  return testEnv("sqlite", { DATA_DIR: dataDir, ...blobs });
}

for (const [from, to] of [["local", "s3"], ["s3", "local"], ["database", "local"]] as const) {
  describe(`backup and restore (SQLite, ${from} blobs restored into ${to})`, () => {
    let source: TestServer;
    let restored: TestServer | undefined;
    let env: Record<string, string>;
    const folders: string[] = [];
    before(async () => {
      const dataDir = temp("data");
      folders.push(dataDir, `${dataDir}.key`);
      env = await envFor(from, dataDir);
      source = await startServer("sqlite", env);
    });
    after(async () => {
      await source.close();
      await restored?.close();
      for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
    });

    it("backs up the running server and restores it; the holder signs in and opens a scan", async () => {
      const h = await signUpHolder(source.url);
      const scan = crypto.randomBytes(40_000);
      const up = await uploadFile(h, scan);
      assert.equal(up.status, 201);
      const doc = { document_no: "P7654321", front_side: up.id };
      assert.equal((await saveItem(h, "passport", doc, { fileIds: [up.id] })).res.status, 200);

      const backupDir = path.join(temp("backup"), "b");
      folders.push(path.dirname(backupDir));
      // Uploads keep landing while the backup runs: whatever the snapshot names must be in it.
      let writing = true;
      const meanwhile = (async () => {
        let n = 0;
        while (writing && n < 40) {
          assert.equal((await uploadFile(h, crypto.randomBytes(5000))).status, 201);
          n += 1;
        }
        return n;
      })();
      const run = await runCli(env, ["backup", backupDir, "--json"]);
      writing = false;
      assert.ok((await meanwhile) >= 1, "uploads ran during the backup");
      assert.equal(run.code, 0, run.stderr);
      const m = run.json();
      assert.equal(m.keyIncluded, true);
      assert.equal(m.missingBlobs, 0);
      assert.equal(m.blobStore, from);
      if (from === "database") assert.equal(m.blobs, 0, "the blobs are in the database file");
      else assert.ok(m.blobs >= 2, `${m.blobs} blobs`);
      assert.equal(fs.statSync(path.join(backupDir, "passport.key")).mode & 0o777, 0o600, "the key is kept private");
      assert.equal(fs.statSync(backupDir).mode & 0o777, 0o700);

      const dataDir = temp("restored");
      folders.push(dataDir, `${dataDir}.key`);
      const env2 = await envFor(to, dataDir);
      const res = await runCli(env2, ["restore", backupDir, "--json"]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.json().missingBlobs, 0, "every file's blob is in place");
      assert.equal(res.json().keyWritten, true);
      assert.equal(fs.readFileSync(`${dataDir}.key`, "utf8"), fs.readFileSync(`${env.DATA_DIR}.key`, "utf8"));

      restored = await startServer("sqlite", env2);
      assert.equal((await storedBlobs(restored)).length, res.json().restoredBlobs, `the blobs are in the ${to} store`);
      const { agent, key } = await signInAndOpen(restored.url, h.email, h.password);
      const v = (await agent.request("GET", "/api/vault")).json();
      const item = v.items.find((i: { type: string }) => i.type === "passport");
      assert.deepEqual(await openItem(key, item, item), doc);
      const dl = await agent.request("GET", `/api/vault/files/${up.id}`);
      assert.equal(dl.status, 200);
      assert.deepEqual(Buffer.from(await openFile(key, up.id, item.files[0].wrappedKey, new Uint8Array(dl.bytes))), scan);
      for (const f of v.unattached) assert.equal((await agent.request("GET", `/api/vault/files/${f.id}`)).status, 200, "uploads made during the backup that it holds open too");
    });

    // The refusals do not depend on the stores: checked with the first pair only.
    if (from === "local") refusals(() => env, folders, to);
  });
}

/** Refusals (with the source server's `env`): a busy folder, a used DATA_DIR, a backup without its key. */
function refusals(env: () => Record<string, string>, folders: string[], to: StoreKind | "database"): void {
  it("refuses a folder that is not empty, and a DATA_DIR that already holds a database", async () => {
    const busy = temp("busy");
    folders.push(busy);
    fs.writeFileSync(path.join(busy, "x"), "");
    const run = await runCli(env(), ["backup", busy]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not empty/);

    const backupDir = path.join(busy, "ok");
    assert.equal((await runCli(env(), ["backup", backupDir])).code, 0);
    const again = await runCli(env(), ["restore", backupDir]);
    assert.equal(again.code, 1, "the source's own DATA_DIR has a database");
    assert.match(again.stderr, /exists: restore into a fresh DATA_DIR/);
    assert.equal((await runCli(env(), ["restore", busy])).code, 1, "no manifest, no restore");
  });

  it("can leave the key out; a restore then needs the key put back first", async () => {
    const backupDir = path.join(temp("nokey"), "b");
    folders.push(path.dirname(backupDir));
    const run = await runCli(env(), ["backup", backupDir, "--without-key"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Keep the key .* safe separately/);
    assert.ok(!fs.existsSync(path.join(backupDir, "passport.key")));

    const dataDir = temp("nokey-restore");
    folders.push(dataDir, `${dataDir}.key`);
    const env2 = await envFor(to, dataDir);
    const refused = await runCli(env2, ["restore", backupDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the backup has no key file/);
    assert.ok(!fs.existsSync(path.join(dataDir, "passport.sqlite")), "nothing was written");
    fs.copyFileSync(`${env().DATA_DIR}.key`, `${dataDir}.key`);
    const ok = await runCli(env2, ["restore", backupDir]);
    assert.equal(ok.code, 0, ok.stderr);
  });
}

if (process.env.TEST_DATABASE_URL) {
  describe("backup on PostgreSQL", () => {
    it("refuses and names pg_dump and the blob store instead of backing up half", async () => {
      const env = testEnv("postgres");
      const run = await runCli(env, ["backup", path.join(os.tmpdir(), `passport-pg-${crypto.randomUUID()}`)]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /PostgreSQL: back up the database with pg_dump/);
      assert.match(run.stderr, /docs\/deploy\.md#backups/);
      const restore = await runCli(env, ["restore", "/nonexistent"]);
      assert.equal(restore.code, 1);
      assert.match(restore.stderr, /PostgreSQL: restore the database with pg_restore/);
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    });
  });
}
