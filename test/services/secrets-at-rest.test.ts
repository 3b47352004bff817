// Server secrets at rest (issue 8, finding 7): without KEY_ENCRYPTION_SECRET the signing keys,
// cookie key, pairwise salt and HMAC keys used to be stored "plain:" in a world-readable SQLite
// file, so a read-only copy of it forged ID tokens. Now they are sealed under a key file made on
// first start (0600, beside the data folder), the data folder is 0700 and the database files 0600,
// a missing or wrong key stops the start with a clear message, older "plain:" rows are sealed at
// start, and what stays weak is logged at warn level.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createRemoteJWKSet, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import type { DataSource } from "typeorm";
import { loadConfig, type Config } from "../../src/config.js";
import { createContainer } from "../../src/container.js";
import { ServerKeyEntity } from "../../src/db/entities.js";
import { openSecretsAtRest } from "../../src/services/secrets-at-rest.js";
import type { ServerKeyStore } from "../../src/db/server-keys.js";
import type { SecretBox } from "../../src/services/secret-box.js";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { codeFlow, registerRp } from "../helpers/oidc.js";
import { dropProcessData, freePort, startProcess } from "../helpers/process.js";
import { databases, pgNotice, startServer, testEnv, type TestServer } from "../helpers/server.js";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** The environment that reopens a test server's data (same DATA_DIR, same PostgreSQL schema). */
function sameData(s: TestServer, extra: Record<string, string> = {}): Record<string, string> {
  return { DATA_DIR: s.dataDir, ...(s.cfg.database.type === "postgres" ? { DATABASE_SCHEMA: s.cfg.database.schema } : {}), ...extra };
}

/** Every secret the server keeps in server_keys, in the clear: the private JWK members and the random secrets. */
async function needles(s: TestServer): Promise<string[]> {
  const box = (s.app.container.keys as unknown as { box: SecretBox }).box;
  const out: string[] = [];
  for (const row of await s.app.container.ds.getRepository(ServerKeyEntity).find()) {
    const clear = box.open(row.privateData);
    if (row.use === "sig") {
      const jwk = JSON.parse(clear) as Record<string, string>;
      for (const member of ["d", "p", "q", "dp", "dq", "qi"]) if (jwk[member]) out.push(jwk[member]);
    } else {
      out.push(clear);
    }
  }
  return out;
}

/** Counts occurrences of each needle (as stored text, and as raw bytes when it is base64url) in a file. */
function hits(file: string, secrets: string[]): number {
  if (!fs.existsSync(file)) return 0;
  const bytes = fs.readFileSync(file);
  let n = 0;
  for (const s of secrets) {
    if (bytes.includes(Buffer.from(s, "utf8"))) n++;
    const raw = Buffer.from(s, "base64url");
    if (raw.length >= 16 && bytes.includes(raw)) n++;
  }
  return n;
}

/**
 * The attack: copy the SQLite file and its WAL, read server_keys from the copy, and sign an ID
 * token with every private key found there. Returns how many such tokens the server's JWKS accepts.
 */
async function forgeFromCopy(s: TestServer): Promise<number> {
  if (s.cfg.database.type !== "sqlite") return 0;
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "passport-thief-"));
  try {
    for (const f of ["", "-wal"]) if (fs.existsSync(`${s.cfg.database.file}${f}`)) fs.copyFileSync(`${s.cfg.database.file}${f}`, path.join(copy, `stolen.sqlite${f}`));
    const stolen = new Database(path.join(copy, "stolen.sqlite"));
    const rows = stolen.prepare("SELECT private_data FROM server_keys WHERE use = 'sig'").all() as { private_data: string }[];
    stolen.close();
    const jwks = createRemoteJWKSet(new URL(`${s.url}/jwks`));
    let forged = 0;
    for (const { private_data: data } of rows) {
      let jwk: JWK;
      try {
        jwk = JSON.parse(data.replace(/^plain:/, "")) as JWK;
      } catch {
        continue; // sealed: nothing to sign with
      }
      const alg = jwk.kty === "RSA" ? "RS256" : jwk.kty === "EC" ? "ES256" : "EdDSA";
      const token = await new SignJWT({ sub: "forged" }).setProtectedHeader({ alg, kid: jwk.kid! }).setIssuer(s.url).setIssuedAt().setExpirationTime("5m").sign(await importJWK(jwk, alg));
      if (await jwtVerify(token, jwks, { issuer: s.url }).then(() => true, () => false)) forged++;
    }
    return forged;
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

async function storedRows(ds: DataSource): Promise<{ kid: string; privateData: string }[]> {
  return ds.getRepository(ServerKeyEntity).find({ select: { kid: true, privateData: true }, order: { kid: "ASC" } });
}

/** Drops what a keepData server left: its schema, its folder and its key file. */
async function dropData(s: TestServer, cfg: Config): Promise<void> {
  await dropProcessData({ DATA_DIR: s.dataDir, KEY_FILE: cfg.keyFile, ...(cfg.database.type === "postgres" ? { DATABASE_URL: cfg.database.url, DATABASE_SCHEMA: cfg.database.schema } : {}) });
}

pgNotice();

for (const db of databases()) {
  describe(`secrets at rest (${db})`, () => {
    it("seals every server secret on a first start without KEY_ENCRYPTION_SECRET; no private key material in the database files", async () => {
      const s = await startServer(db);
      try {
        // Some traffic, so that the WAL holds recent pages too.
        const holder = await createHolder(s.app.container);
        await codeFlow(await registerRp(s), new Agent(s.url), holder);
        const rows = await storedRows(s.app.container.ds);
        assert.ok(rows.length >= 6, "signing keys, cookie key, salts, HMAC keys");
        for (const r of rows) assert.match(r.privateData, /^enc:v1:/, `${r.kid} is sealed`);

        const secrets = await needles(s);
        const jwks = (await s.app.container.keys.signingKeys()).jwks;
        for (const jwk of jwks) assert.ok(secrets.includes(jwk.d!), "the running keystore's private keys are among the needles");
        for (const r of rows) for (const x of secrets) assert.ok(!r.privateData.includes(x), "no secret in a stored row");
        if (s.cfg.database.type === "sqlite") {
          const file = s.cfg.database.file;
          assert.equal(hits(file, secrets) + hits(`${file}-wal`, secrets), 0, "no secret in the SQLite file or its WAL");
          assert.equal(await forgeFromCopy(s), 0, "a copy of the database files forges no ID token");
        }

        assert.ok(fs.existsSync(s.cfg.keyFile), "a key file was made");
        assert.equal(mode(s.cfg.keyFile), 0o600, "the key file is 0600");
        assert.ok(!s.cfg.keyFile.startsWith(`${s.dataDir}${path.sep}`), "the key file is not inside DATA_DIR");
        assert.equal(mode(s.dataDir), 0o700, "the data folder is 0700");
        if (s.cfg.database.type === "sqlite") {
          for (const f of ["", "-wal", "-shm"]) assert.equal(mode(`${s.cfg.database.file}${f}`), 0o600, `passport.sqlite${f} is 0600`);
        }
        assert.ok(!s.logLines.some((l) => JSON.parse(l).level === "warn" && /KEY_FILE|unsealed|readable/.test(l)), "nothing to warn about");
      } finally {
        await s.close();
      }
    });

    it("keeps the same keys across a restart with the same key file: a token issued before still verifies", async () => {
      const first = await startServer(db, {}, { keepData: true });
      const cfg = first.cfg;
      try {
        const holder = await createHolder(first.app.container);
        const rp = await registerRp(first);
        const { tokens } = await codeFlow(rp, new Agent(first.url), holder);
        const before = await storedRows(first.app.container.ds);
        await first.close();

        const second = await startServer(db, sameData(first), { keepData: true });
        try {
          assert.deepEqual(await storedRows(second.app.container.ds), before, "nothing re-made or re-sealed");
          const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${second.url}/jwks`)), { audience: rp.clientId });
          assert.equal(payload.sub, tokens.claims()!.sub);
        } finally {
          await second.close();
        }
      } finally {
        await dropData(first, cfg);
      }
    });

    it("refuses to start when the key file is gone or wrong, naming KEY_FILE, and makes no new key", async () => {
      const first = await startServer(db, {}, { keepData: true });
      const cfg = first.cfg;
      await first.close();
      const start = (extra: Record<string, string> = {}) => createContainer(loadConfig(testEnv(db, sameData(first, extra))));
      try {
        const original = fs.readFileSync(cfg.keyFile);
        fs.rmSync(cfg.keyFile);
        await assert.rejects(start(), (e: Error) => {
          assert.match(e.message, /sealed, but KEY_FILE .+ does not exist/);
          assert.ok(e.message.includes(cfg.keyFile), "names the file");
          assert.match(e.message, /KEY_ENCRYPTION_SECRET/);
          return true;
        });
        assert.equal(fs.existsSync(cfg.keyFile), false, "no new key file was made");

        // The same through `npm start`: exit 1 with the message, not a stack trace.
        const port = await freePort();
        await assert.rejects(startProcess(testEnv(db, sameData(first, { LOG_LEVEL: "warn" })), port), (e: Error) => {
          assert.match(e.message, /^the server secrets in the database are sealed, but KEY_FILE .+ does not exist/m);
          assert.doesNotMatch(e.message, /\n\s+at /);
          return true;
        });

        fs.writeFileSync(cfg.keyFile, "another-key-0123456789abcdefghijklmnopqrstuv\n", { mode: 0o600 });
        await assert.rejects(start(), /KEY_FILE .+ does not open the stored keys/);
        await assert.rejects(start({ KEY_ENCRYPTION_SECRET: "a secret that never sealed anything" }), /KEY_ENCRYPTION_SECRET does not open the stored keys/);

        // The original key file, or its content as KEY_ENCRYPTION_SECRET, opens them again.
        fs.writeFileSync(cfg.keyFile, original);
        await (await start()).close();
        fs.rmSync(cfg.keyFile);
        const fromManager = await start({ KEY_ENCRYPTION_SECRET: original.toString().trim() });
        try {
          assert.ok((await fromManager.keys.signingKeys()).jwks.length >= 3);
        } finally {
          await fromManager.close();
        }
        assert.equal(fs.existsSync(cfg.keyFile), false, "KEY_ENCRYPTION_SECRET wins: no key file made");
      } finally {
        await dropData(first, cfg);
      }
    });

    it("seals the plain: rows of an older install at start, once, with two processes starting together", async () => {
      const first = await startServer(db, {}, { keepData: true });
      const cfg = first.cfg;
      const clear = await needles(first);
      // Turn it into what an older version left: every secret "plain:", no key file.
      const box = (first.app.container.keys as unknown as { box: SecretBox }).box;
      const repo = first.app.container.ds.getRepository(ServerKeyEntity);
      for (const r of await repo.find()) await repo.update({ kid: r.kid }, { privateData: `plain:${box.open(r.privateData)}` });
      await first.close();
      fs.rmSync(cfg.keyFile);
      try {
        const env = testEnv(db, sameData(first));
        const [a, b] = await Promise.all([createContainer(loadConfig(env)), createContainer(loadConfig(env))]);
        try {
          const rows = await storedRows(a.ds);
          for (const r of rows) assert.match(r.privateData, /^enc:v1:/, `${r.kid} is sealed now`);
          if (cfg.database.type === "sqlite") {
            const file = cfg.database.file;
            assert.equal(hits(file, clear) + hits(`${file}-wal`, clear), 0, "the old plain values are gone from the SQLite file and its WAL");
          }
          for (const c of [a, b]) {
            const s = { app: { container: c } } as unknown as TestServer;
            assert.deepEqual((await needles(s)).sort(), [...clear].sort(), "both processes open the same secrets, unchanged");
          }
          assert.ok(fs.existsSync(cfg.keyFile), "one key file");
          assert.deepEqual(a.warnings, []);
          assert.deepEqual(b.warnings, []);
        } finally {
          await a.close();
          await b.close();
        }
        const before = await (async () => {
          const c = await createContainer(loadConfig(env));
          try {
            return await storedRows(c.ds);
          } finally {
            await c.close();
          }
        })();
        const again = await createContainer(loadConfig(env));
        try {
          assert.deepEqual(await storedRows(again.ds), before, "a later start changes nothing (idempotent)");
        } finally {
          await again.close();
        }
      } finally {
        await dropData(first, cfg);
      }
    });

    it("warns at start when the key file sits inside DATA_DIR or is readable by others", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
      const keyFile = path.join(dir, "keys", "passport.key");
      const s = await startServer(db, { DATA_DIR: dir, KEY_FILE: keyFile });
      try {
        assert.equal(mode(keyFile), 0o600);
        assert.equal(mode(path.dirname(keyFile)), 0o700, "a folder made for the key file is 0700");
        const warns = s.logLines.map((l) => JSON.parse(l)).filter((l) => l.level === "warn");
        const inside = warns.filter((l) => /KEY_FILE .+ is inside DATA_DIR/.test(l.msg));
        assert.equal(inside.length, db === "sqlite" ? 1 : 0, "one line, when the database is in DATA_DIR");
      } finally {
        await s.close();
      }
      fs.chmodSync(keyFile, 0o644);
      const again = await startServer(db, sameData(s, { KEY_FILE: keyFile }));
      try {
        assert.ok(again.logLines.some((l) => JSON.parse(l).level === "warn" && /KEY_FILE .+ is readable by other users/.test(l)));
      } finally {
        await again.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("secrets at rest: start-up rules", () => {
  const made: string[] = [];
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("warns, one line, when secrets stay unsealed after start (an older process still writing plain:)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
    made.push(dir);
    const cfg = loadConfig({ DATA_DIR: path.join(dir, "data") });
    // A store where an older version keeps a row plain: sealing it never sticks.
    const row = { kid: "prelogin-hmac", use: "secret", alg: "random", status: "active", publicJwk: null, privateData: "plain:x", createdAt: 1, retiredAt: null };
    const store = { firstWithPrefix: async () => null, listWithPrefix: async () => [row], replaceData: async () => 0 } as unknown as ServerKeyStore;
    const { warnings } = await openSecretsAtRest(cfg, store);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /1 server secrets are stored unsealed/);
    assert.equal(mode(cfg.dataDir), 0o700);
    assert.equal(mode(cfg.keyFile), 0o600);
  });

  it("warns when KEY_ENCRYPTION_SECRET is short enough to guess, and makes no key file when it is set", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
    made.push(dir);
    const store = { firstWithPrefix: async () => null, listWithPrefix: async () => [], replaceData: async () => 0 } as unknown as ServerKeyStore;
    const short = loadConfig({ DATA_DIR: path.join(dir, "data"), KEY_ENCRYPTION_SECRET: "hunter2" });
    assert.deepEqual((await openSecretsAtRest(short, store)).warnings.map((w) => /KEY_ENCRYPTION_SECRET is short/.test(w)), [true]);
    const long = loadConfig({ DATA_DIR: path.join(dir, "data"), KEY_ENCRYPTION_SECRET: "x".repeat(32) });
    assert.deepEqual((await openSecretsAtRest(long, store)).warnings, []);
    assert.equal(fs.existsSync(long.keyFile), false);
  });

  it("tightens a data folder and database files an older version left open", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
    made.push(dir);
    const dataDir = path.join(dir, "data");
    const c1 = await createContainer(loadConfig({ DATA_DIR: dataDir }));
    await c1.close();
    const file = path.join(dataDir, "passport.sqlite");
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(file, 0o644);
    const c2 = await createContainer(loadConfig({ DATA_DIR: dataDir }));
    try {
      assert.equal(mode(dataDir), 0o700);
      for (const f of ["", "-wal", "-shm"]) if (fs.existsSync(`${file}${f}`)) assert.equal(mode(`${file}${f}`), 0o600);
    } finally {
      await c2.close();
    }
  });

  it("two processes racing to make the key file end up with one key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
    made.push(dir);
    const keyFile = path.join(dir, "race", "passport.key");
    const script = `import { createKeyFile } from "./src/services/key-file.ts"; process.stdout.write(createKeyFile(${JSON.stringify(keyFile)}).secret);`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const keys = await Promise.all(Array.from({ length: 6 }, run));
    assert.equal(new Set(keys).size, 1, "every process got the same key");
    assert.equal(fs.readFileSync(keyFile, "utf8").trim(), keys[0]);
    assert.deepEqual(fs.readdirSync(path.dirname(keyFile)), ["passport.key"], "no temporary files left");
    assert.equal(mode(path.dirname(keyFile)), 0o700);
  });
});
