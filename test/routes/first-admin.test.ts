// Finding 8: who becomes admin. "The first account" must be decided atomically in the database
// (parallel sign-ups on a fresh install make exactly one admin), and an operator-issued one-time
// link (`passport admin-link`) makes an account admin once: a second use, an expired link and a
// wrong token are refused with a clear 4xx.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createAccountMaterial } from "../../src/crypto/index.js";
import { publicInstanceWarnings } from "../../src/services/public-instance.js";
import { Agent } from "../helpers/agent.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";

const PARALLEL = 6;
/** Every sign-up here comes from 127.0.0.1; the per-address sign-up limit is not under test. */
const MANY = { SIGNUP_PER_IP_PER_HOUR: "1000" };

/** A browser that has opened /signup (so it holds the CSRF token) with its sign-up body ready. */
async function readySignUp(s: TestServer) {
  const agent = new Agent(s.url);
  await agent.get("/signup");
  const { body } = await createAccountMaterial("a long enough password", TEST_KDF_ITERATIONS);
  return { agent, json: { email: uniqueEmail("first"), ...body } };
}

async function signedIn(s: TestServer): Promise<Agent> {
  const { agent, json } = await readySignUp(s);
  const res = await agent.request("POST", "/api/signup", { json });
  assert.equal(res.status, 201, res.text);
  return agent;
}

const isAdmin = async (a: Agent) => (await a.request("GET", "/api/account")).json().account.isAdmin as boolean;

/** Opens the link page (as the CLI prints it) and presses the button. */
async function useLink(a: Agent, url: string) {
  const page = await a.get(url);
  const token = new URL(url).searchParams.get("token") ?? "";
  const res = await a.request("POST", "/account/admin-link", { form: { token } });
  return { page, res };
}

describe("start-up warning", () => {
  it("warns when first-come admin is on and the issuer is not localhost", async () => {
    const cfg = { issuer: "https://passport.example", firstUserIsAdmin: true, kdfIterations: 600_000 };
    assert.match(publicInstanceWarnings(cfg).join("\n"), /FIRST_USER_IS_ADMIN is true on a public issuer.*passport admin-link/);
    assert.deepEqual(publicInstanceWarnings({ ...cfg, firstUserIsAdmin: false }), []);
    assert.deepEqual(publicInstanceWarnings({ ...cfg, issuer: "http://localhost:3000" }), []);
    assert.deepEqual(publicInstanceWarnings({ ...cfg, issuer: "http://127.0.0.1:3000" }), []);
    assert.match(publicInstanceWarnings({ ...cfg, firstUserIsAdmin: false, kdfIterations: 1000 }).join("\n"), /KDF_ITERATIONS is 1000, below the 100000/);
    const s = await startServer("sqlite", { ISSUER: "http://passport.example" });
    try {
      assert.ok(s.logLines.some((l) => l.includes('"level":"warn"') && l.includes("FIRST_USER_IS_ADMIN")), s.logLines.join("\n"));
    } finally {
      await s.close();
    }
  });
});

pgNotice();
for (const db of databases()) {
  describe(`first admin (${db})`, () => {
    it(`${PARALLEL} parallel sign-ups on a fresh install make exactly one admin`, async () => {
      const s = await startServer(db, MANY);
      try {
        const ready = await Promise.all(Array.from({ length: PARALLEL }, () => readySignUp(s)));
        const results = await Promise.all(ready.map(({ agent, json }) => agent.request("POST", "/api/signup", { json })));
        assert.deepEqual(results.map((r) => r.status), Array(PARALLEL).fill(201), results.map((r) => r.text).join("\n"));
        const admins = results.filter((r) => r.json().account.isAdmin);
        assert.equal(admins.length, 1, `admins: ${admins.length} of ${PARALLEL}`);
        assert.equal((await s.app.container.accounts.list()).filter((a) => a.isAdmin).length, 1);
        // Later sign-ups are never admins.
        assert.equal(await isAdmin(await signedIn(s)), false);
      } finally {
        await s.close();
      }
    });

    it("two servers sharing one fresh database: parallel sign-ups on both make exactly one admin", async () => {
      const a = await startServer(db, MANY, { keepData: true });
      const shared = { ...MANY, DATA_DIR: a.dataDir, ...(db === "postgres" ? { DATABASE_SCHEMA: (a.cfg.database as { schema: string }).schema } : {}) };
      const b = await startServer(db, shared);
      try {
        const ready = await Promise.all([a, b, a, b, a, b].map((s) => readySignUp(s)));
        const results = await Promise.all(ready.map(({ agent, json }) => agent.request("POST", "/api/signup", { json })));
        assert.deepEqual(results.map((r) => r.status), Array(6).fill(201));
        assert.equal(results.filter((r) => r.json().account.isAdmin).length, 1);
      } finally {
        await a.close();
        await b.close();
        fs.rmSync(a.dataDir, { recursive: true, force: true });
      }
    });

    it("with FIRST_USER_IS_ADMIN=false nobody becomes admin by signing up first", async () => {
      const s = await startServer(db, { ...MANY, FIRST_USER_IS_ADMIN: "false" });
      try {
        const ready = await Promise.all(Array.from({ length: 3 }, () => readySignUp(s)));
        const results = await Promise.all(ready.map(({ agent, json }) => agent.request("POST", "/api/signup", { json })));
        assert.deepEqual(results.map((r) => [r.status, r.json().account.isAdmin]), Array(3).fill([201, false]));
      } finally {
        await s.close();
      }
    });
  });

  describe(`admin link (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { ...MANY, FIRST_USER_IS_ADMIN: "false" });
    });
    after(() => s.close());

    it("makes the signed-in account admin once; a second use is refused", async () => {
      const { url } = await s.app.container.adminLinks.issue();
      assert.ok(url.startsWith(`${s.url}/account/admin-link?token=`), url);
      const holder = await signedIn(s);
      assert.equal(await isAdmin(holder), false);

      const { page, res } = await useLink(holder, url);
      assert.equal(page.status, 200);
      assert.match(page.text, /name="_csrf"/);
      assert.match(page.text, /Make this account an administrator/);
      // POST → redirect → GET: the confirmation is a page of its own.
      assert.equal(res.status, 303);
      const done = await holder.get(res.location!);
      assert.equal(done.status, 200);
      assert.match(done.text, /You are now an administrator/);
      assert.equal(await isAdmin(holder), true);
      assert.equal((await holder.get("/admin")).status, 200);

      const other = await signedIn(s);
      const again = await useLink(other, url);
      assert.equal(again.page.status, 410);
      assert.match(again.page.text, /already been used/);
      assert.equal(again.res.status, 410);
      assert.match(again.res.text, /already been used/);
      assert.equal(await isAdmin(other), false);
    });

    it("refuses an expired link and a wrong token", async () => {
      const { url } = await s.app.container.adminLinks.issue({ ttlMinutes: 5, now: Date.now() - 10 * 60_000 });
      const holder = await signedIn(s);
      const expired = await useLink(holder, url);
      assert.equal(expired.page.status, 410);
      assert.match(expired.res.text, /expired/);
      assert.equal(expired.res.status, 410);

      const wrong = await useLink(holder, `${s.url}/account/admin-link?token=${"A".repeat(43)}`);
      assert.equal(wrong.page.status, 404);
      assert.equal(wrong.res.status, 404);
      assert.match(wrong.res.text, /not valid/);
      const garbage = await holder.request("POST", "/account/admin-link", { form: { token: "%%%" } });
      assert.equal(garbage.status, 404);
      assert.equal(await isAdmin(holder), false);
    });

    it("sends a visitor who is not signed in to sign in (or sign up) first, and back", async () => {
      const { url } = await s.app.container.adminLinks.issue();
      const visitor = new Agent(s.url);
      const res = await visitor.get(url);
      assert.equal(res.status, 303);
      const signin = new URL(res.location!);
      assert.equal(signin.pathname, "/signin");
      assert.equal(signin.searchParams.get("next"), new URL(url).pathname + new URL(url).search);
      // The link is still unused.
      const holder = await signedIn(s);
      assert.equal((await useLink(holder, url)).res.status, 303);
    });

    it(`${PARALLEL} accounts racing for one link: exactly one becomes admin`, async () => {
      const { url } = await s.app.container.adminLinks.issue();
      const token = new URL(url).searchParams.get("token")!;
      const agents = await Promise.all(Array.from({ length: PARALLEL }, () => signedIn(s)));
      for (const a of agents) await a.get(url);
      const results = await Promise.all(agents.map((a) => a.request("POST", "/account/admin-link", { form: { token } })));
      assert.deepEqual(results.map((r) => r.status).sort(), [303, ...Array(PARALLEL - 1).fill(410)]);
      const flags = await Promise.all(agents.map(isAdmin));
      assert.equal(flags.filter(Boolean).length, 1);
    });
  });
}
