// Finding 9 (prelogin): after KDF_ITERATIONS is raised, an old account is upgraded at its next
// sign-in (the browser re-wraps with a fresh salt at the new cost and POSTs /api/account/kdf),
// and unknown emails get iteration counts drawn from the real accounts' mix, so old accounts no
// longer stand out from them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { derivePasswordKeys, generateVaultKey, passwordMaterial, type KdfParams } from "../../src/crypto/index.js";
import { type ApiCall, signInWithPassword } from "../../src/web/_signin.js";
import { Agent } from "../helpers/agent.js";
import { createHolder, uniqueEmail, type TestHolder } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, type DbKind, type TestServer } from "../helpers/server.js";

const OLD = TEST_KDF_ITERATIONS;
const NEW = TEST_KDF_ITERATIONS * 2;

function apiOf(agent: Agent): ApiCall {
  return async <T>(method: string, p: string, body?: unknown) => {
    const res = await agent.request(method, p, body === undefined ? {} : { json: body });
    if (res.status >= 400) throw new Error(`${res.status} ${res.text}`);
    return (res.status === 204 ? undefined : res.json()) as T;
  };
}

async function signedInAgent(s: TestServer, h: TestHolder): Promise<{ agent: Agent; upgraded: boolean; vaultKey: CryptoKey }> {
  const agent = new Agent(s.url);
  await agent.get("/signin");
  const r = await signInWithPassword(apiOf(agent), h.email, h.password);
  return { agent, ...r };
}

const prelogin = async (s: TestServer, email: string): Promise<{ kdf: KdfParams; minIterations: number }> => {
  const a = new Agent(s.url);
  await a.get("/signin");
  return (await a.request("POST", "/api/prelogin", { json: { email } })).json();
};

pgNotice();
for (const db of databases()) {
  describe(`KDF cost upgrade and prelogin mix (${db})`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-kdf-"));
    const env = (iterations: number): Record<string, string> => ({
      DATA_DIR: dataDir,
      KDF_ITERATIONS: String(iterations),
      LOGIN_FREE_FAILURES: "50",
      LOGIN_IP_FREE_FAILURES: "500",
      ...(db === "postgres" ? { DATABASE_SCHEMA: schema } : {}),
    });
    const schema = `t_${crypto.randomBytes(6).toString("hex")}`;
    let s: TestServer;
    const old: TestHolder[] = [];

    before(async () => {
      // Three accounts made while KDF_ITERATIONS was 1,000; then the operator raises it.
      const before = await startServer(db as DbKind, env(OLD), { keepData: true });
      for (let i = 0; i < 3; i++) old.push(await createHolder(before.app.container));
      await before.close();
      s = await startServer(db as DbKind, env(NEW));
    });
    after(async () => {
      await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("unknown emails get counts from the real accounts' mix, stable per email", async () => {
      // The mix now: 3 accounts at OLD, 1 at NEW.
      const fresh = await createHolder(s.app.container);
      assert.equal((await prelogin(s, fresh.email)).kdf.iterations, NEW);
      const real = new Set([...(await Promise.all(old.map((h) => prelogin(s, h.email)))).map((p) => p.kdf.iterations), NEW]);
      assert.deepEqual([...real].sort(), [OLD, NEW]);
      const seen = new Map<number, number>();
      for (let i = 0; i < 40; i++) {
        const email = `nobody-${i}@example.test`;
        const { kdf, minIterations } = await prelogin(s, email);
        assert.equal(minIterations, NEW);
        assert.ok(real.has(kdf.iterations), `${kdf.iterations} is not a count any account has`);
        seen.set(kdf.iterations, (seen.get(kdf.iterations) ?? 0) + 1);
        assert.deepEqual((await prelogin(s, email)).kdf, kdf, "the same email gets the same answer");
      }
      // Before the fix every unknown email got NEW, so an OLD answer meant "this account exists".
      assert.ok((seen.get(OLD) ?? 0) > 0, `OLD never drawn: ${JSON.stringify([...seen])}`);
      assert.ok((seen.get(NEW) ?? 0) > 0, `NEW never drawn: ${JSON.stringify([...seen])}`);
    });

    it("signing in upgrades an old account: fresh salt, new cost, same vault key, sessions kept", async () => {
      const h = old[0]!;
      const before = await prelogin(s, h.email);
      assert.equal(before.kdf.iterations, OLD);
      const first = await signedInAgent(s, h);
      assert.equal(first.upgraded, true);
      const after = await prelogin(s, h.email);
      assert.equal(after.kdf.iterations, NEW);
      assert.notEqual(after.kdf.salt, before.kdf.salt);
      const again = await signedInAgent(s, h);
      assert.equal(again.upgraded, false);
      assert.deepEqual(
        new Uint8Array(await crypto.subtle.exportKey("raw", await exportable(again.agent, h.password))),
        new Uint8Array(await crypto.subtle.exportKey("raw", await exportable(first.agent, h.password))),
      );
      // The session that did the upgrade and the later one are both still signed in.
      assert.equal((await first.agent.request("GET", "/api/account")).status, 200);
      assert.equal((await again.agent.request("GET", "/api/account")).status, 200);
    });

    it("POST /api/account/kdf refuses a wrong password, no gain, a cost below KDF_ITERATIONS, and strangers", async () => {
      const h = old[1]!;
      const agent = new Agent(s.url);
      await agent.get("/signin");
      const { kdf } = await prelogin(s, h.email);
      const { authKey } = await derivePasswordKeys(h.password, kdf);
      assert.equal((await agent.request("POST", "/api/session", { json: { email: h.email, authKey } })).status, 200);
      const vaultKey = await generateVaultKey();
      const next = (n: number) => passwordMaterial(h.password, n, vaultKey);
      const { authKey: wrong } = await derivePasswordKeys("not the password", kdf);

      const bad = await agent.request("POST", "/api/account/kdf", { json: { currentAuthKey: wrong, ...(await next(NEW)) } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json().fields.currentAuthKey, "wrong password");
      const low = await agent.request("POST", "/api/account/kdf", { json: { currentAuthKey: authKey, ...(await next(NEW - 1)) } });
      assert.equal(low.status, 400);
      assert.match(low.json().fields["kdf.iterations"], new RegExp(`at least ${NEW}`));
      const stranger = new Agent(s.url);
      await stranger.get("/signin");
      assert.equal((await stranger.request("POST", "/api/account/kdf", { json: { currentAuthKey: authKey, ...(await next(NEW)) } })).status, 401);
      assert.equal((await prelogin(s, h.email)).kdf.iterations, OLD, "nothing changed");

      assert.equal((await agent.request("POST", "/api/account/kdf", { json: { currentAuthKey: authKey, ...(await next(NEW)) } })).status, 204);
      const same = await agent.request("POST", "/api/account/kdf", { json: { currentAuthKey: authKey, ...(await next(NEW)) } });
      assert.equal(same.status, 400, "the old authKey no longer proves anything, and NEW is no gain");
    });
  });
}

/** Opens the vault key again from /api/account with the password, extractable, to compare bytes. */
async function exportable(agent: Agent, password: string): Promise<CryptoKey> {
  const { openVaultWithPassword } = await import("../../src/crypto/index.js");
  const km = (await agent.request("GET", "/api/account")).json();
  return openVaultWithPassword(password, km.kdf, km.wrappedVaultKey, true);
}
