// The limits of email verification under attack (issue 8, findings 5 and 14): sends counted per
// account, per address and per client address across resends, reserved before the mail goes out;
// guesses counted per code before the comparison, and not reset by a resend; the outbox emptied
// with the codes. Races are run in parallel on both databases.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { registerHolderKeys, signUpHolder, type VaultHolder } from "../helpers/vault.js";

const outbox = (s: TestServer) => path.join(s.dataDir, "outbox");

function mailsTo(s: TestServer, to: string): string[] {
  if (!fs.existsSync(outbox(s))) return [];
  return fs
    .readdirSync(outbox(s))
    .sort()
    .map((f) => fs.readFileSync(path.join(outbox(s), f), "utf8"))
    .filter((m) => m.includes(`To: ${to}`));
}

function latestCode(s: TestServer, to: string): string {
  const m = /Your Passport code: (\d{6})/.exec(mailsTo(s, to).at(-1) ?? "");
  assert.ok(m, `a mail to ${to} in the outbox`);
  return m[1]!;
}

const address = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.org`;
const send = (h: VaultHolder, email: string) => h.agent.request("POST", "/api/vault/email/send", { json: { email } });
/** The holder's signing key goes with every guess (the credential is bound to it); registered once per holder. */
const holderJwks = new WeakMap<VaultHolder, Promise<unknown>>();
const holderJwk = (h: VaultHolder) => {
  if (!holderJwks.has(h)) holderJwks.set(h, registerHolderKeys(h).then((k) => k.signingJwk));
  return holderJwks.get(h)!;
};
const guess = async (h: VaultHolder, email: string, code: string) => h.agent.request("POST", "/api/vault/email/verify", { json: { email, code, holderJwk: await holderJwk(h) } });
const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

for (const db of databases()) {
  describe(`email-code limits (${db})`, () => {
    let s: TestServer;
    before(async () => {
      // Every test sends from 127.0.0.1: the per-IP limit has its own server below.
      s = await startServer(db, { EMAIL_CODE_SENDS_PER_IP_PER_HOUR: "10000" });
    });
    after(() => s.close());

    it("12 parallel sends to one address: exactly 5 accepted and mailed, the rest 429 with Retry-After", async () => {
      const h = await signUpHolder(s.url);
      const email = address("burst");
      const answers = await Promise.all(Array.from({ length: 12 }, () => send(h, email)));
      assert.deepEqual(tally(answers.map((r) => r.status)), { 202: 5, 429: 7 });
      assert.equal(mailsTo(s, email).length, 5, "only accepted sends are mailed");
      const refused = answers.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get("retry-after")) > 0, "Retry-After is set");
      assert.match(refused.json().detail, /codes/i);
    });

    it("two accounts share the limit of one address (the victim's mailbox)", async () => {
      const a = await signUpHolder(s.url);
      const b = await signUpHolder(s.url);
      const victim = address("victim");
      for (let i = 0; i < 3; i++) assert.equal((await send(a, victim)).status, 202);
      assert.equal((await send(b, victim)).status, 202);
      assert.equal((await send(b, victim)).status, 202);
      assert.equal((await send(b, victim)).status, 429, "the sixth mail to one address in an hour is refused");
      assert.equal((await send(b, address("other"))).status, 202, "b may still verify another address");
      assert.equal(mailsTo(s, victim).length, 5);
    });

    it("20 parallel wrong codes: at most 5 are compared, then the code is dead", async () => {
      const h = await signUpHolder(s.url);
      const email = address("guess");
      assert.equal((await send(h, email)).status, 202);
      const code = latestCode(s, email);
      const answers = await Promise.all(Array.from({ length: 20 }, () => guess(h, email, wrongFor(code))));
      assert.ok(answers.every((r) => r.status === 400 && r.json().fields?.code), "every answer names the code field");
      const codes = tally(answers.map((r) => (r.json().code === "code_used_up" ? 1 : 0)));
      assert.deepEqual(codes, { 0: 5, 1: 15 }, "5 compared and wrong, 15 refused without a comparison");
      const right = await guess(h, email, code);
      assert.equal(right.status, 400, "the right code no longer works");
      assert.equal(right.json().code, "code_used_up");
    });

    it("a resend does not reset the failed attempts; a new code after a dead one does", async () => {
      const h = await signUpHolder(s.url);
      const email = address("resend");
      await send(h, email);
      const first = latestCode(s, email);
      for (let i = 0; i < 4; i++) assert.equal((await guess(h, email, wrongFor(first))).json().code, "invalid_request");
      assert.equal((await send(h, email)).status, 202);
      const second = latestCode(s, email);
      assert.equal((await guess(h, email, wrongFor(second))).json().code, "invalid_request", "the fifth attempt is compared");
      const right = await guess(h, email, second);
      assert.equal(right.status, 400, "the resent code inherited 5 failures: it is dead");
      assert.equal(right.json().code, "code_used_up");
      assert.equal((await send(h, email)).status, 202, "a new code within the send limit");
      assert.equal((await guess(h, email, latestCode(s, email))).status, 200, "and it works");
    });

    it("two parallel right codes: one attestation", async () => {
      const h = await signUpHolder(s.url);
      const email = address("twice");
      await send(h, email);
      const code = latestCode(s, email);
      const answers = await Promise.all(Array.from({ length: 4 }, () => guess(h, email, code)));
      assert.deepEqual(tally(answers.map((r) => r.status)), { 200: 1, 400: 3 });
    });

    it("outbox mails are 0600 in a 0700 folder and are purged with their codes", async () => {
      const h = await signUpHolder(s.url);
      const email = address("purge");
      await send(h, email);
      const [file] = fs.readdirSync(outbox(s)).filter((f) => fs.readFileSync(path.join(outbox(s), f), "utf8").includes(`To: ${email}`));
      assert.ok(file);
      assert.equal(fs.statSync(outbox(s)).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(outbox(s), file)).mode & 0o777, 0o600);
      const purged = await s.app.container.emailVerification.purge(Date.now() + 16 * 60_000);
      assert.ok(purged >= 1);
      assert.equal(fs.existsSync(path.join(outbox(s), file)), false, "the mail with the code is gone");
      assert.equal(mailsTo(s, email).length, 0);
    });
  });

  describe(`email-code limit per client address (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { EMAIL_CODE_SENDS_PER_IP_PER_HOUR: "3" });
    });
    after(() => s.close());

    it("counts sends from one client address across accounts and addresses", async () => {
      const holders = await Promise.all(Array.from({ length: 4 }, () => signUpHolder(s.url)));
      const answers = await Promise.all(holders.map((h) => send(h, address("ip"))));
      assert.deepEqual(tally(answers.map((r) => r.status)), { 202: 3, 429: 1 });
    });
  });
}
