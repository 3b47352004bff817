// Two Passport processes on one PostgreSQL database behind a load balancer (test/helpers/balancer.ts)
// that the test steers: the relying party and the holder's browser change process at every step,
// revocation on one process is refused at once on the other, a key rotation through the CLI reaches
// both, and `kill -9` of a process in the middle of a sign-in, a consent or an upload loses nothing
// committed and leaves no half blob. Both processes share one blob folder, as `--workers` does.
// On SQLite, a second server on the same file is refused (workers, or a separate process).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import * as client from "openid-client";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { loadConfig } from "../../src/config.js";
import { createContainer, type Container } from "../../src/container.js";
import { sealFile } from "../../src/crypto/index.js";
import { downloadScan, openPassport } from "../../src/sdk/index.js";
import { Agent } from "../helpers/agent.js";
import type { TestHolder } from "../helpers/accounts.js";
import { startBalancer, type Balancer } from "../helpers/balancer.js";
import { runCli } from "../helpers/cli.js";
import { authRequest, CALLBACK, pageKind, redeem, REFRESHING_CLIENT, rpConfig, rpKeyPair, signIn, walk, type AuthRequest } from "../helpers/oidc.js";
import { dropProcessData, freePort, startProcess, type ServerProcess } from "../helpers/process.js";
import { testEnv, pgNotice, type TestServer } from "../helpers/server.js";
import { shareFromConsent } from "../helpers/share.js";
import { readVault, saveItem, signUpHolder, startSlowUpload, uploadFile, type VaultHolder } from "../helpers/vault.js";
import { ALL_SCOPES, assertShared } from "../sharing/flow.js";
import { storeDocument, type StoredDocument } from "../sharing/documents.js";

pgNotice();

interface Node {
  name: string;
  port: number;
  /** Direct address (bypassing the balancer). */
  direct: string;
  proc: ServerProcess;
}

/** Bounded wait for a condition another process brings about (not a timing assertion). */
async function eventually(what: string, check: () => Promise<boolean>, seconds = 30): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within ${seconds} s: ${what}`);
}

const kidsOf = async (base: string): Promise<string[]> => ((await (await fetch(`${base}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

if (process.env.TEST_DATABASE_URL) {
  describe("two processes on PostgreSQL behind one balancer", () => {
    let env: Record<string, string>;
    let lb: Balancer;
    let a: Node;
    let b: Node;
    let c: Container;
    let holder: VaultHolder;
    let doc: StoredDocument;
    let rp: { clientId: string; config: client.Configuration; privateKey: CryptoKey };

    const asTestHolder = (h: VaultHolder) => ({ email: h.email, password: h.password }) as TestHolder;
    const start = async (name: string, port: number): Promise<Node> => ({ name, port, direct: `http://127.0.0.1:${port}`, proc: await startProcess(env, port, { issuer: lb.url }) });

    before(async () => {
      const lbPort = await freePort();
      const [pa, pb] = [await freePort(), await freePort()];
      // KEY_REFRESH_SECONDS=1 so that the rotation test waits a second, not a minute.
      env = testEnv("postgres", { LOG_LEVEL: "warn", KEY_REFRESH_SECONDS: "1", ISSUER: `http://localhost:${lbPort}` });
      lb = await startBalancer(lbPort, `http://127.0.0.1:${pa}`);
      // One after the other: the first start creates the schema, keys and secrets.
      a = await start("A", pa);
      b = await start("B", pb);
      c = await createContainer(loadConfig(env));
      const enc = await rpKeyPair("ECDH-ES+A256KW", "enc-1", { crv: "P-256" });
      const created = await c.clients.create({
        name: "Two-process RP",
        redirectUris: [CALLBACK],
        type: "confidential",
        tokenEndpointAuthMethod: "client_secret_basic",
        scopes: ALL_SCOPES,
        jwks: { keys: [enc.publicJwk] as never },
      });
      rp = { clientId: created.client.clientId, config: await rpConfig({ url: lb.url } as TestServer, created.client.clientId, { client_secret: created.secret! }), privateKey: enc.privateKey };
      lb.to(b.direct);
      holder = await signUpHolder(lb.url);
      lb.to(a.direct);
      doc = await storeDocument(holder, "passport");
    });

    after(async () => {
      await c?.close();
      await a?.proc.stop();
      await b?.proc.stop();
      await lb?.close();
      await dropProcessData(env);
    });

    /** A fresh browser that authorizes on `on` and gets the sign-in page. */
    async function authorizeTo(on: Node, scope: string): Promise<{ browser: Agent; req: AuthRequest; interaction: string }> {
      lb.to(on.direct);
      const browser = new Agent(lb.url);
      const req = await authRequest(rp.config, { scope });
      const page = await browser.follow(req.url.toString());
      assert.equal(pageKind(page), "login", `the sign-in page on ${on.name}: ${page.status} ${page.url}`);
      return { browser, req, interaction: page.url };
    }

    /** Follows the interaction once signed in, to the consent page. */
    async function consentPage(browser: Agent, interaction: string, on: Node): Promise<string> {
      lb.to(on.direct);
      const page = await browser.follow(interaction);
      assert.equal(page.status, 200, `the consent page on ${on.name}: ${page.url} ${page.text.slice(0, 200)}`);
      assert.match(new URL(page.url).pathname, /^\/interaction\//);
      return page.url;
    }

    it("serves one sign-in with every step on the other process, and a revocation on B is refused on A at once", async () => {
      const { browser, req, interaction } = await authorizeTo(a, "openid passport:passport");
      lb.to(b.direct);
      await signIn(browser, asTestHolder(holder)); // sign-in on B
      const consent = await consentPage(browser, interaction, a); // consent on A
      const shared = await shareFromConsent(browser, holder.vaultKey, consent);
      const callback = await browser.follow(shared.redirect);
      assert.equal(new URL(callback.url).origin, "http://localhost:8080", `the client's callback, got ${callback.url}`);

      lb.to(b.direct);
      const tokens = await redeem(rp.config, new URL(callback.url), req); // token on B
      const sub = tokens.claims()!.sub;

      lb.to(a.direct);
      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, sub); // userinfo and a scan on A
      const payload = await openPassport(userinfo, rp.privateKey, { issuer: lb.url, clientId: rp.clientId, nonce: req.nonce, sub });
      await assertShared(lb.url, tokens.access_token, payload.data.passport, doc);

      lb.to(b.direct);
      await client.tokenRevocation(rp.config, tokens.access_token); // revoke on B

      lb.to(a.direct);
      const after = await fetch(`${lb.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(after.status, 401, "userinfo on A refuses the token revoked on B, at once");
      await assert.rejects(downloadScan(lb.url, tokens.access_token, payload.data.passport!.files[0]!), "the scan is refused on A too");
      assert.ok((lb.counts.get(a.direct) ?? 0) > 3 && (lb.counts.get(b.direct) ?? 0) > 3, "both processes served the flow");
    });

    it("picks up a key rotation made through the CLI on both processes", async () => {
      const browser = new Agent(lb.url);
      const h = asTestHolder(holder);
      /** A plain sign-in (no Passport scopes) whose tokens come from `tokenOn`. */
      const flow = async (tokenOn: Node) => {
        lb.to(tokenOn === a ? b.direct : a.direct); // authorize on the other one
        const r = await authRequest(rp.config, { scope: "openid email", prompt: "consent" });
        const w = await walk(browser, r.url, { holder: h });
        lb.to(tokenOn.direct);
        return redeem(rp.config, w.callback, r);
      };
      const before = await flow(a);
      const oldKids = await kidsOf(a.direct);

      const rotated = await runCli(env, ["keys", "rotate", "--json"]);
      assert.equal(rotated.code, 0, rotated.stderr);
      const fresh = rotated.json<{ active_kids: string[] }>().active_kids;
      assert.equal(fresh.length, 3);
      for (const node of [a, b]) {
        await eventually(`${node.name} publishes the new keys\n${node.proc.output()}`, async () => {
          const kids = await kidsOf(node.direct);
          return fresh.every((k) => kids.includes(k));
        });
        const kids = await kidsOf(node.direct);
        assert.ok(oldKids.every((k) => kids.includes(k)), `${node.name} still publishes the old keys (tokens they signed are live)`);
      }

      // New keys sign two refresh intervals (2 s here) after the CLI stored them, and each process
      // switches at its next check (1 s). The JWKS lists the keys in signing order, so a process
      // signs with a new key once one heads its JWKS (waited for: the CLI's own start may be slow).
      for (const node of [a, b]) {
        await eventually(`${node.name} signs with a new key\n${node.proc.output()}`, async () => fresh.includes((await kidsOf(node.direct))[0]!));
      }
      for (const [signer, verifier] of [
        [a, b],
        [b, a],
      ] as const) {
        const tokens = await flow(signer);
        const kid = decodeProtectedHeader(tokens.id_token!).kid!;
        assert.ok(fresh.includes(kid), `${signer.name} signs with a new key after the rotation`);
        const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${verifier.direct}/jwks`)), { issuer: lb.url, audience: rp.clientId });
        assert.equal(payload.sub, tokens.claims()!.sub, `an ID token signed on ${signer.name} verifies with the JWKS of ${verifier.name}`);
        lb.to(verifier.direct);
        assert.ok((await client.fetchUserInfo(rp.config, tokens.access_token, payload.sub!)).sub, `its access token works on ${verifier.name}`);
      }
      const { payload } = await jwtVerify(before.id_token!, createRemoteJWKSet(new URL(`${b.direct}/jwks`)), { issuer: lb.url, audience: rp.clientId });
      assert.ok(payload.sub, "an ID token from before the rotation still verifies");
    });

    it("rotates a refresh token sent to both processes at once only once, and ends the grant", async () => {
      // Each process spends the token in the database while its grant goes on (request-artifacts.ts):
      // only the database can tell which request won, whichever process it reached.
      const created = await c.clients.create({ name: "Two-process refreshing RP", ...REFRESHING_CLIENT });
      const config = await rpConfig({ url: lb.url } as TestServer, created.client.clientId, { client_secret: created.secret! });
      const basic = `Basic ${Buffer.from(`${created.client.clientId}:${created.secret}`).toString("base64")}`;
      const refresh = (node: Node, token: string) =>
        fetch(`${node.direct}/token`, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }),
        });
      const browser = new Agent(lb.url);
      for (let round = 0; round < 4; round++) {
        lb.to((round % 2 ? b : a).direct);
        const r = await authRequest(config, { scope: "openid email offline_access", prompt: "consent" });
        const w = await walk(browser, r.url, { holder: asTestHolder(holder) });
        const tokens = await redeem(config, w.callback, r);
        const answers = await Promise.all([a, b, a, b, a, b].map((node) => refresh(node, tokens.refresh_token!)));
        const won = answers.filter((res) => res.status === 200);
        assert.ok(won.length <= 1, `round ${round}: ${won.length} of 6 refreshes on two processes got tokens`);
        for (const res of answers.filter((x) => x.status !== 200)) {
          assert.equal(res.status, 400);
          assert.equal(((await res.json()) as { error?: string }).error, "invalid_grant");
        }
        for (const res of won) {
          const fresh = (await res.json()) as { access_token: string };
          lb.to(b.direct);
          const me = await fetch(`${lb.url}/me`, { headers: { authorization: `Bearer ${fresh.access_token}` } });
          assert.equal(me.status, 401, `round ${round}: the replays ended the grant, the winner's tokens too`);
        }
      }
    });

    it("completes a sign-in on B after A is killed between its steps", async () => {
      const { browser, req, interaction } = await authorizeTo(a, "openid email");
      const pre = await browser.request("POST", "/api/prelogin", { json: { email: holder.email } }); // on A
      assert.equal(pre.status, 200);
      await a.proc.stop("SIGKILL");
      const restarting = startProcess(env, a.port, { issuer: lb.url });
      try {
        lb.to(b.direct); // the balancer's health check takes A out
        await signIn(browser, asTestHolder(holder));
        const w = await walk(browser, interaction);
        assert.equal(w.sawLogin, false, "signed in on B");
        const tokens = await redeem(rp.config, w.callback, req);
        assert.equal((await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub)).email, holder.email);
      } finally {
        a.proc = await restarting;
      }
    });

    it("keeps a consent answered on A when A is killed before the redirect is followed", async () => {
      const { browser, req, interaction } = await authorizeTo(b, "openid passport:passport");
      await signIn(browser, asTestHolder(holder));
      const consent = await consentPage(browser, interaction, a);
      const shared = await shareFromConsent(browser, holder.vaultKey, consent); // sealed payload stored by A
      await a.proc.stop("SIGKILL");
      const restarting = startProcess(env, a.port, { issuer: lb.url });
      try {
        lb.to(b.direct);
        const callback = await browser.follow(shared.redirect);
        assert.equal(new URL(callback.url).origin, "http://localhost:8080", `the client's callback, got ${callback.url}`);
        const tokens = await redeem(rp.config, new URL(callback.url), req);
        const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
        const payload = await openPassport(userinfo, rp.privateKey, { issuer: lb.url, clientId: rp.clientId, nonce: req.nonce, sub: userinfo.sub });
        await assertShared(lb.url, tokens.access_token, payload.data.passport, doc);
      } finally {
        a.proc = await restarting;
      }
    });

    it("leaves no half blob when A is killed during an upload; the holder finishes on B", async () => {
      const blobDir = path.join(env.DATA_DIR!, "blobs");
      const tmpDir = path.join(blobDir, ".tmp");
      const before = await readVault(holder);
      const id = crypto.randomUUID();
      const big = await sealFile(holder.vaultKey, id, new Uint8Array(crypto.randomBytes(6 * 1024 * 1024)));
      lb.to(a.direct);
      await startSlowUpload(holder, lb.url, id, big.wrappedKey, big.bytes, 3 * 1024 * 1024);
      await eventually("A writes the upload to a temporary file", async () => fs.readdirSync(tmpDir).some((f) => f.split(".")[1] === String(a.proc.pid)), 10);
      const reserved = Number((await c.ds.query(`SELECT count(*) AS n FROM vault_reservations`))[0].n);
      assert.equal(reserved, 1, "the upload holds a reservation");
      await a.proc.stop("SIGKILL");

      lb.to(b.direct);
      const blobs = () => fs.readdirSync(blobDir).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) => fs.readdirSync(path.join(blobDir, d)));
      assert.ok(!blobs().includes(big.sha256), "no blob of the cut upload");
      assert.equal((await c.ds.query(`SELECT id FROM vault_files WHERE id = $1`, [id])).length, 0, "no file row for it");
      const left = await c.ds.query(`SELECT expires_at FROM vault_reservations`);
      assert.equal(left.length, 1, "the dead process's reservation is all that is left in the database");
      assert.ok(Number(left[0].expires_at) <= Date.now() + 15 * 60_000, "and it stops counting within 15 minutes");

      // The purge of any process that shares the folder removes the dead process's temporary file.
      assert.deepEqual(fs.readdirSync(tmpDir).map((f) => f.split(".")[1]), [String(a.proc.pid)], "A's half-written temporary file is still there");
      const gc = await c.vault.collectGarbage();
      assert.equal(gc.incompleteUploads, 1, "the purge removes it");
      assert.equal(fs.readdirSync(tmpDir).length, 0);

      const retry = await uploadFile(holder, crypto.randomBytes(5000), id);
      assert.equal(retry.status, 201, `the holder uploads again on B: ${JSON.stringify(retry.body)}`);
      assert.equal((await saveItem(holder, "utility_bill", { files: [retry.id] }, { fileIds: [retry.id] })).res.status, 200);
      const now = await readVault(holder);
      for (const item of before.items) {
        const still = now.items.find((i: { id: string }) => i.id === item.id);
        assert.deepEqual(still, item, `${item.type} is as it was committed`);
      }
      for (const item of now.items) {
        for (const f of item.files) {
          const res = await holder.agent.request("GET", `/api/vault/files/${f.id}`);
          assert.equal(res.status, 200, `file ${f.id} of ${item.type} is readable`);
          assert.equal(crypto.createHash("sha256").update(res.bytes).digest("hex"), f.sha256);
        }
      }
      for (const hash of blobs()) {
        const bytes = fs.readFileSync(path.join(blobDir, hash.slice(0, 2), hash));
        assert.equal(crypto.createHash("sha256").update(bytes).digest("hex"), hash, "every blob is whole");
      }
      a.proc = await startProcess(env, a.port, { issuer: lb.url });
    });
  });

  describe("passport start --workers 2 (PostgreSQL)", () => {
    let env: Record<string, string>;
    let port: number;
    let proc: ServerProcess;
    before(async () => {
      port = await freePort();
      env = testEnv("postgres", { LOG_LEVEL: "info" });
      proc = await startProcess(env, port, { command: ["start", "--workers", "2", "--no-build"] });
    });
    after(async () => {
      await proc?.stop("SIGKILL");
      await dropProcessData(env);
    });

    /** One request on a connection of its own, so the primary may hand it to either worker. */
    const once = (p: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: p, agent: false, timeout: 5000 }, (res) => (res.resume(), resolve(res.statusCode!)));
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
      });
    /**
     * As a client behind any balancer does: a connection the primary handed to a worker just as it
     * was killed is lost with it (node:cluster cannot take it back), so one retry is allowed.
     */
    const get = async (p: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(p);
        } catch (e) {
          if (attempt === 2) throw e;
        }
      }
    };
    const workerPids = () =>
      new Set(
        proc
          .output()
          .split("\n")
          .filter((l) => l.includes('"msg":"passport listening"'))
          .map((l) => JSON.parse(l).pid as number),
      );
    const servedBy = () => new Set(proc.output().split("\n").filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l).pid as number));

    it("runs two workers on one port, replaces one killed with -9, and stops cleanly", async () => {
      await eventually("both workers listen", async () => workerPids().size === 2);
      for (let i = 0; i < 20; i++) assert.equal(await get("/.well-known/openid-configuration"), 200);
      assert.equal(servedBy().size, 2, "requests reach both workers");

      const [victim] = [...workerPids()];
      process.kill(victim!, "SIGKILL");
      for (let i = 0; i < 10; i++) assert.equal(await get("/jwks"), 200, "the other worker keeps serving");
      await eventually("the primary starts a new worker", async () => workerPids().size === 3, 60);
      assert.match(proc.output(), /worker exited; starting another/);

      assert.equal(await proc.stop("SIGTERM"), 0, "SIGTERM stops the primary and its workers with code 0");
      for (const pid of workerPids()) assert.throws(() => process.kill(pid, 0), `worker ${pid} is gone`);
    });
  });
}

describe("one server per SQLite database", () => {
  it("refuses a second server on the same file, and starts once the first is killed with -9", async () => {
    const env = testEnv("sqlite", { LOG_LEVEL: "warn" });
    const first = await startProcess(env, await freePort());
    try {
      await assert.rejects(startProcess(env, await freePort()), /another Passport server is running on .*passport\.sqlite/);
      await first.stop("SIGKILL");
      const second = await startProcess(env, await freePort());
      assert.equal(await second.stop(), 0);
    } finally {
      await first.stop("SIGKILL");
      await dropProcessData(env);
    }
  });
});

describe("passport start --workers 2 on SQLite", () => {
  it("is refused with a message naming PostgreSQL", async () => {
    const env = testEnv("sqlite");
    try {
      const run = await runCli(env, ["start", "--workers", "2", "--no-build"]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /WORKERS: 2 server processes need PostgreSQL \(DATABASE_URL\)/);
    } finally {
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
      fs.rmSync(`${env.DATA_DIR}.key`, { force: true });
    }
  });
});
