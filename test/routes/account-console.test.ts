// The account console over HTTP, on both databases: the sessions list (device, address, last
// seen) and signing sessions out (one, or every other; the provider session of that browser ends
// too, so no relying party gets a silent sign-in), the sign-in history (successes, failures, one
// lock note, purge), the email change by code (free address, race on one address, the vault
// still opens) and passkeys as a second factor (register, sign in with and without, replay,
// rename, remove, the per-account limit, the OIDC sign-in).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { derivePasswordKeys, openVaultWithPassword } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { authRequest, pageKind, redirectError, registerRp, walk, type Rp } from "../helpers/oidc.js";
import { SoftAuthenticator } from "../helpers/passkey.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";

pgNotice();

const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** Signs in through the JSON API as a browser would; answers the passkey step when `passkey` is given. */
async function signIn(agent: Agent, email: string, password: string, opts: { ua?: string; passkey?: SoftAuthenticator } = {}) {
  const headers = opts.ua ? { "user-agent": opts.ua } : undefined;
  if (!agent.csrf) await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email }, headers });
  const { authKey } = await derivePasswordKeys(password, pre.json().kdf);
  const res = await agent.request("POST", "/api/session", { json: { email, authKey }, headers });
  if (res.status !== 200 || !opts.passkey || !res.json().secondFactor) return res;
  return agent.request("POST", "/api/session/passkey", { json: { response: opts.passkey.get(res.json().options) }, headers });
}

async function accountPage(agent: Agent) {
  const res = await agent.get("/account");
  assert.equal(res.status, 200, res.text.slice(0, 300));
  return res.text;
}

function mailsTo(s: TestServer, to: string): string[] {
  const dir = path.join(s.dataDir, "outbox");
  if (!fs.existsSync(dir)) return [];
  // Quoted-printable, as nodemailer writes long lines: soft breaks and =XX escapes undone.
  const unqp = (t: string) => Buffer.from(t.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  return fs.readdirSync(dir).sort().map((f) => unqp(fs.readFileSync(path.join(dir, f), "utf8"))).filter((m) => m.includes(`To: ${to}`));
}

function codeFor(s: TestServer, to: string): string {
  const m = /Your Passport code: (\d{6})/.exec(mailsTo(s, to).at(-1) ?? "");
  assert.ok(m, `a code mailed to ${to}`);
  return m[1]!;
}

async function authKeyOf(h: { agent: Agent }, password: string): Promise<string> {
  const km = (await h.agent.get("/api/account")).json();
  return (await derivePasswordKeys(password, km.kdf)).authKey;
}

for (const db of databases()) {
  describe(`account console (${db})`, () => {
    let s: TestServer;
    let rp: Rp;

    before(async () => {
      s = await startServer(db, { LOGIN_FREE_FAILURES: "3", PASSKEYS_PER_ACCOUNT: "2" });
      rp = await registerRp(s);
    });
    after(() => s.close());

    it("lists sessions with device and address, and signs one out at once, its provider session too", async () => {
      const h = await signUpHolder(s.url);
      const phone = new Agent(s.url);
      assert.equal((await signIn(phone, h.email, h.password, { ua: CHROME_MAC })).status, 200);
      const laptop = new Agent(s.url);
      assert.equal((await signIn(laptop, h.email, h.password, { ua: FIREFOX })).status, 200);
      // The phone signs in to a relying party: it now holds an oidc-provider session as well.
      const first = await walk(phone, (await authRequest(rp.config)).url, { consent: "allow" });
      assert.ok(first.callback.searchParams.get("code"), "a code for the relying party");
      await phone.get("/account");

      const page = await accountPage(laptop);
      assert.match(page, /Chrome 131 on macOS/);
      assert.match(page, /Firefox 128 on Windows<\/strong> <span class="badge on">this browser/);
      assert.match(page, /127\.0\.0\.1 · signed in <time datetime="[^"]+" data-local>/);
      const sessions = [...page.matchAll(/data-session="([\w-]{22})"/g)].map((m) => m[1]!);
      assert.equal(sessions.length, 3, "sign-up, phone and laptop");
      const providerSessions = async () => Number((await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM oidc_payloads WHERE kind = 'Session'`))[0].n);
      assert.equal(await providerSessions(), 1);

      // The phone's row is the one with Chrome; sign it out from the laptop.
      const phoneHandle = /data-session="([\w-]{22})">\s*<div>\s*<strong>Chrome/.exec(page)![1]!;
      const ended = await laptop.request("POST", `/account/sessions/${phoneHandle}/end`, { form: {} });
      assert.equal(ended.status, 303);
      assert.match(ended.location!, /\/account\?done=session-ended#sessions$/);
      assert.match((await laptop.get(ended.location!)).text, /That session was signed out\./);
      assert.equal((await phone.get("/api/account")).status, 401, "the phone's next request is signed out");
      assert.equal(await providerSessions(), 0, "and its provider session is gone");
      const silent = await phone.follow((await authRequest(rp.config, { prompt: "none" })).url.toString());
      assert.equal(redirectError(new URL(silent.url)).error, "login_required", "no silent sign-in for the phone");

      // Again: a handle that is gone, and one that is not a handle.
      assert.equal((await laptop.request("POST", `/account/sessions/${phoneHandle}/end`, { form: {} })).status, 404);
      assert.equal((await laptop.request("POST", "/account/sessions/x/end", { form: {} })).status, 400);
      // Someone else's handle is not found either.
      const other = await signUpHolder(s.url);
      const otherHandle = /data-session="([\w-]{22})"/.exec(await accountPage(other.agent))![1]!;
      assert.equal((await laptop.request("POST", `/account/sessions/${otherHandle}/end`, { form: {} })).status, 404);
      assert.equal((await other.agent.get("/api/account")).status, 200);
    });

    it("signs out everywhere else, keeping this browser", async () => {
      const h = await signUpHolder(s.url);
      const others = [new Agent(s.url), new Agent(s.url)];
      for (const a of others) assert.equal((await signIn(a, h.email, h.password)).status, 200);
      await walk(others[0]!, (await authRequest(rp.config)).url, { consent: "allow" });
      const res = await h.agent.request("POST", "/account/sessions/end-others", { form: {} });
      assert.equal(res.status, 303);
      for (const a of others) assert.equal((await a.get("/api/account")).status, 401);
      assert.equal((await h.agent.get("/api/account")).status, 200);
      const page = await accountPage(h.agent);
      assert.equal([...page.matchAll(/data-session=/g)].length, 1);
      assert.match(page, /You are signed in nowhere else/);
      const id = (await h.agent.get("/api/account")).json().account.id;
      const left = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM oidc_payloads WHERE kind = 'Session' AND account_id = '${id}'`);
      assert.equal(Number(left[0].n), 0, "the other browsers' provider sessions ended");
      // Signing out this browser's own row from the list signs it out like "Sign out".
      const own = /data-session="([\w-]{22})"/.exec(page)![1]!;
      const out = await h.agent.request("POST", `/account/sessions/${own}/end`, { form: {} });
      assert.equal(out.status, 303);
      assert.equal((await h.agent.get("/api/account")).status, 401);
    });

    it("keeps a sign-in history: successes, failures and one note per lock; old rows are purged", async () => {
      const h = await signUpHolder(s.url);
      const stranger = new Agent(s.url);
      for (let i = 0; i < 3; i++) assert.equal((await signIn(stranger, h.email, "not the password", { ua: FIREFOX })).status, 401);
      // Locked now (LOGIN_FREE_FAILURES=3): refused without checking, noted once however often.
      for (let i = 0; i < 4; i++) assert.equal((await signIn(stranger, h.email, "not the password")).status, 429);
      const page = await accountPage(h.agent);
      const outcomes = [...page.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1]);
      assert.deepEqual(outcomes, ["locked", "failure", "failure", "failure"], "newest first; sign-up is not a sign-in");
      assert.match(page, /Failed<\/strong>\s*<span class="muted">with password<\/span>\s*<span class="muted small"><time[^>]*>[^<]*<\/time> · 127\.0\.0\.1 · Firefox 128 on Windows/);
      assert.match(page, /Locked: too many attempts/);
      // An unknown email has no history to write to.
      const count = async () => Number((await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM sign_in_events`))[0].n);
      const n = await count();
      assert.equal((await signIn(stranger, uniqueEmail("nobody"), "whatever password")).status, 401);
      assert.equal(await count(), n);

      assert.ok(n >= 4);
      assert.equal(await s.app.container.history.purge(), 0, "nothing is old yet");
      const purged = await s.app.container.history.purge(Date.now() + 91 * 86_400_000);
      assert.equal(purged, n, "rows older than SIGNIN_HISTORY_DAYS go");
    });

    it("changes the email with a code to the new address; the old one is told, the vault still opens", async () => {
      const h = await signUpHolder(s.url);
      const taken = await signUpHolder(s.url);
      const to = uniqueEmail("moved");
      const send = (email: string) => h.agent.request("POST", "/api/account/email/code", { json: { email } });
      assert.equal((await send(taken.email)).status, 409, "an address in use");
      assert.equal((await send(h.email.toUpperCase())).json().fields.email, "already your address");
      assert.equal((await send("not an email")).status, 400);
      assert.equal((await send(to)).status, 204);
      const code = codeFor(s, to);
      const currentAuthKey = await authKeyOf(h, h.password);
      const change = (body: object) => h.agent.request("POST", "/api/account/email", { json: { email: to, code, currentAuthKey, ...body } });
      const wrongPw = await change({ currentAuthKey: (await derivePasswordKeys("wrong password!", (await h.agent.get("/api/account")).json().kdf)).authKey });
      assert.equal(wrongPw.status, 400);
      assert.equal(wrongPw.json().fields.currentPassword, "wrong password");
      const wrongCode = await change({ code: code === "000000" ? "111111" : "000000" });
      assert.equal(wrongCode.json().fields.code, "wrong or expired code");
      assert.equal((await change({ code: "12" })).json().fields.code, "enter the 6 digits from the mail");
      const ok = await change({});
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json(), { email: to, notified: true });
      assert.equal((await change({})).status, 400, "the code is used up");
      assert.match(mailsTo(s, h.email).at(-1) ?? "", /was changed to \S…\S@example\.test/, "the old address is told");

      // The same password, the same vault key, under the new address; the old one signs in no more.
      const fresh = new Agent(s.url);
      assert.equal((await signIn(fresh, h.email, h.password)).status, 401);
      const res = await signIn(fresh, to, h.password);
      assert.equal(res.status, 200);
      const km = (await fresh.get("/api/account")).json();
      assert.equal(km.account.email, to);
      const vaultKey = await openVaultWithPassword(h.password, km.kdf, res.json().wrappedVaultKey, true);
      const raw = (k: CryptoKey) => crypto.subtle.exportKey("raw", k).then((b) => Buffer.from(b).toString("hex"));
      assert.equal(await raw(vaultKey), await raw(h.vaultKey));
    });

    it("gives one new address to one of two accounts changing to it at once", async () => {
      const [a, b] = await Promise.all([signUpHolder(s.url), signUpHolder(s.url)]);
      const to = uniqueEmail("race");
      for (const h of [a, b]) assert.equal((await h.agent.request("POST", "/api/account/email/code", { json: { email: to } })).status, 204);
      // Each holder's own code (each mail names the account's code; read them in order).
      const codes = mailsTo(s, to).map((m) => /Your Passport code: (\d{6})/.exec(m)![1]!);
      const bodies = await Promise.all([a, b].map(async (h) => ({ h, currentAuthKey: await authKeyOf(h, h.password) })));
      const results = await Promise.all(
        bodies.map(({ h, currentAuthKey }, i) => h.agent.request("POST", "/api/account/email", { json: { email: to, code: codes[i], currentAuthKey } })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], results.map((r) => r.text).join(" | "));
    });

    describe("passkeys", () => {
      let h: VaultHolder;
      let key: SoftAuthenticator;

      before(async () => {
        h = await signUpHolder(s.url);
        key = new SoftAuthenticator(s.url);
      });

      const register = async (agent: Agent, name: string, authenticator = key) => {
        const options = await agent.request("POST", "/api/account/passkeys/options", { json: {} });
        assert.equal(options.status, 200, options.text);
        return agent.request("POST", "/api/account/passkeys", { json: { name, response: authenticator.create(options.json()) } });
      };

      it("registers a passkey; then signing in asks for it after the password", async () => {
        const res = await register(h.agent, "  My laptop ");
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json().passkey.name, "My laptop");
        assert.match(await accountPage(h.agent), /value="My laptop"/);

        const a = new Agent(s.url);
        const first = await signIn(a, h.email, h.password);
        assert.equal(first.status, 200);
        assert.equal(first.json().secondFactor, "passkey");
        assert.equal(first.json().wrappedVaultKey, undefined, "no vault key before the passkey");
        assert.equal((await a.get("/api/account")).status, 401, "no session before the passkey");
        const response = key.get(first.json().options);
        const done = await a.request("POST", "/api/session/passkey", { json: { response } });
        assert.equal(done.status, 200, done.text);
        assert.ok(done.json().wrappedVaultKey);
        assert.equal((await a.get("/api/account")).status, 200);
        // The same answer again: the pending sign-in was used.
        const replay = await a.request("POST", "/api/session/passkey", { json: { response } });
        assert.equal(replay.status, 400);
        assert.equal(replay.json().code, "passkey_expired");
        assert.match(await accountPage(h.agent), /data-outcome="success">\s*<div>\s*<strong class="">Signed in<\/strong>\s*<span class="muted">with passkey/);
      });

      it("refuses a wrong passkey answer, counting it as a failed sign-in, and malformed ones with field errors", async () => {
        const a = new Agent(s.url);
        const first = await signIn(a, h.email, h.password);
        const other = new SoftAuthenticator(s.url);
        other.create({ challenge: "x" });
        const wrong = await a.request("POST", "/api/session/passkey", { json: { response: other.get(first.json().options) } });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.json().code, "invalid_passkey");
        assert.equal((await a.get("/api/account")).status, 401);
        const second = await signIn(a, h.email, h.password);
        const phished = await a.request("POST", "/api/session/passkey", { json: { response: key.get(second.json().options, { origin: "https://evil.example" }) } });
        assert.equal(phished.status, 401, "an answer made for another origin");
        const bad = await a.request("POST", "/api/session/passkey", { json: { response: { id: "!", type: "public-key" } } });
        assert.equal(bad.status, 400);
        assert.ok(bad.json().fields["response.id"]);
        const fresh = new Agent(s.url);
        await fresh.get("/signin");
        const none = await fresh.request("POST", "/api/session/passkey", { json: { response: key.get(second.json().options) } });
        assert.equal(none.json().code, "passkey_expired", "no pending sign-in in this browser");
        const page = await accountPage(h.agent);
        assert.match(page, /data-outcome="failure">\s*<div>\s*<strong class="error">Failed<\/strong>\s*<span class="muted">with passkey/);
      });

      it("asks for the passkey in the OpenID Connect sign-in too", async () => {
        const a = new Agent(s.url);
        const req = await authRequest(rp.config);
        const login = await a.follow(req.url.toString());
        assert.equal(pageKind(login), "login");
        const done = await signIn(a, h.email, h.password, { passkey: key });
        assert.equal(done.status, 200, done.text);
        const w = await walk(a, login.url, { consent: "allow" });
        assert.ok(w.callback.searchParams.get("code"));
      });

      it("renames with a field error for a bad name, holds the per-account limit, and removes", async () => {
        let page = await accountPage(h.agent);
        const id = /data-passkey="([\w-]{36})"/.exec(page)![1]!;
        const bad = await h.agent.request("POST", `/account/passkeys/${id}/rename`, { form: { name: " " } });
        assert.equal(bad.status, 400);
        assert.match(bad.text, /aria-invalid="true"[^>]*>\s*<span class="field-error" id="passkey-error-[^"]+">give the passkey a name/);
        const ok = await h.agent.request("POST", `/account/passkeys/${id}/rename`, { form: { name: "Work key" } });
        assert.equal(ok.status, 303);
        assert.match(await accountPage(h.agent), /value="Work key"/);
        assert.equal((await register(h.agent, "Second")).status, 201);
        // PASSKEYS_PER_ACCOUNT=2.
        const third = await h.agent.request("POST", "/api/account/passkeys/options", { json: {} });
        assert.equal(third.status, 400);
        assert.equal(third.json().fields.passkey, "at most 2");
        // Someone else's passkey id is not found.
        const other = await signUpHolder(s.url);
        assert.equal((await other.agent.request("POST", `/account/passkeys/${id}/delete`, { form: {} })).status, 404);
        page = await accountPage(h.agent);
        for (const m of page.matchAll(/data-passkey="([\w-]{36})"/g)) {
          assert.equal((await h.agent.request("POST", `/account/passkeys/${m[1]}/delete`, { form: {} })).status, 303);
        }
        const plain = await signIn(new Agent(s.url), h.email, h.password);
        assert.ok(plain.json().wrappedVaultKey, "no passkey left: the password alone signs in");
      });

      it("registers at most the limit under parallel registrations", async () => {
        const holder = await signUpHolder(s.url);
        const agents = [holder.agent, new Agent(s.url), new Agent(s.url), new Agent(s.url)];
        for (const a of agents.slice(1)) assert.equal((await signIn(a, holder.email, holder.password)).status, 200);
        // Each browser starts its own registration; only the newest challenge stands, and the count holds.
        const attempt = async (a: Agent, i: number) => {
          const options = await a.request("POST", "/api/account/passkeys/options", { json: {} });
          // Refused at once when the others already filled the account.
          if (options.status !== 200) return options.status;
          return (await a.request("POST", "/api/account/passkeys", { json: { name: `key ${i}`, response: new SoftAuthenticator(s.url).create(options.json()) } })).status;
        };
        const statuses = await Promise.all(agents.map(attempt));
        assert.ok(statuses.every((st) => st === 201 || st === 400), statuses.join(","));
        assert.ok(statuses.filter((st) => st === 201).length >= 1, statuses.join(","));
        const count = await s.app.container.passkeys.list((await holder.agent.get("/api/account")).json().account.id);
        assert.ok(count.length <= 2);
      });
    });
  });
}
