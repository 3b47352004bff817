// The verifier console in Chromium, on each database. Two members of one verifier sign in: the
// first member's browser makes the verifier's keys on first open (sealed to that member's own
// holder key); the second member's browser makes its holder keys and waits until the first shares
// the verifier's keys with it; then the second member opens a holder's sealed submission (fields
// and scan decrypted in the page) and approves it. The credential the console issued is checked
// with the credential library's verifyPresentation, presented with the holder's key, and the
// holder's item shows verified. A second submission is rejected with per-field reasons; finally
// the credential is revoked in the console and the same presentation is reported revoked.
// Any console error or CSP violation fails the step it happened in.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { JWK } from "jose";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CREDENTIAL_TYP, openJson, presentCredential, verifyPresentation } from "../../src/credentials/index.js";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { readVault, signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { keyedHolder, seedItem, seedPassport, submit, type KeyedHolder } from "../helpers/verifier-console.js";

const skip = browserSkip();
pgNotice();

for (const db of databases()) {
  describe(`the verifier console in Chromium (${db})`, { skip }, () => {
    let server: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    let first: { page: Page; problems: string[] };
    let second: { page: Page; problems: string[] };
    let memberA: KeyedHolder | VaultHolder;
    let memberB: VaultHolder;
    let holder: KeyedHolder;
    const slug = "kyc-desk";
    const documentNo = `P${crypto.randomBytes(4).toString("hex").toUpperCase()}`;
    let passportSubmission = "";
    let credentialId = "";

    async function signedIn(email: string, password: string) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const problems = watchProblems(page);
      await page.goto(`${server.url}/signin`);
      await page.fill("#signin-form input[name=email]", email);
      await page.fill("#signin-form input[name=password]", password);
      await page.click("#signin-form button[type=submit]");
      await page.waitForSelector("header form[action='/signout']");
      return { page, problems };
    }

    async function openConsole(p: Page, query = ""): Promise<void> {
      await p.goto(`${server.url}/verifier/${slug}${query}`);
      await p.waitForSelector("#console[data-ready]");
    }

    before(async () => {
      [server, browser] = await Promise.all([startServer(db, { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR) }), launchBrowser()]);
      // Member A has never had holder keys: the console makes them. Member B neither.
      memberA = await signUpHolder(server.url, "member a password", KDF_ITERATIONS_FLOOR);
      memberB = await signUpHolder(server.url, "member b password", KDF_ITERATIONS_FLOOR);
      holder = await keyedHolder(server.url, "holder password 1");
      const verifiers = server.app.container.verifiers;
      await verifiers.create({ slug, name: "KYC Desk", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp", "vpip"] });
      await verifiers.addMember(slug, memberA.email);
      await verifiers.addMember(slug, memberB.email);
      await seedItem(holder, "personal_details", { first_name: "Ada", last_name: "Lovelace", birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" });
      await seedPassport(holder, documentNo);
      await seedItem(holder, "address", { street_line1: "1 Analytical Row", city: "London", country_code: "GB", post_code: "N1 1AA" });
      first = await signedIn(memberA.email, memberA.password);
      second = await signedIn(memberB.email, memberB.password);
    });

    after(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await server?.close();
    });

    it("lists the verifier for its members, and only for them", async () => {
      // Anyone else: no verifier listed, and its console is refused (the unknown one not found).
      assert.doesNotMatch((await holder.agent.request("GET", "/verifier")).text, /KYC Desk/);
      assert.equal((await holder.agent.request("GET", `/verifier/${slug}`)).status, 403);
      assert.equal((await holder.agent.request("GET", "/verifier/no-such-desk")).status, 404);
      await first.page.goto(`${server.url}/verifier`);
      await first.page.click(`a[href="/verifier/${slug}"]`);
      await first.page.waitForSelector("#console[data-ready]");
      assert.deepEqual(first.problems.splice(0), []);
    });

    it("makes the verifier's keys in the first member's browser", async () => {
      await openConsole(first.page);
      assert.match(await first.page.textContent("#keys-state") ?? "", /open in this browser|made the verifier's keys/);
      const v = await server.app.container.verifiers.get(slug);
      assert.ok(v.signingJwk?.kid && v.encryptionJwk, "the public keys are published");
      // The server holds only public keys and the sealed private keys.
      const members = await server.app.container.verifiers.members(slug);
      assert.deepEqual(members.map((m: { email: string; hasKeys: boolean }) => [m.email, m.hasKeys]).sort(), [[memberA.email, true], [memberB.email, false]].sort());
      assert.deepEqual(first.problems.splice(0), []);
    });

    it("lets the second member wait, then get the keys shared", async () => {
      await openConsole(second.page);
      assert.match(await second.page.textContent("#keys-state") ?? "", /not been shared with you/);
      assert.equal(await second.page.isVisible("#queue"), false);
      // The first member now sees the second waiting (their holder keys exist now) and shares.
      await openConsole(first.page);
      const row = `#waiting-list li[data-account]`;
      await first.page.waitForSelector(row);
      assert.match(await first.page.textContent(row) ?? "", new RegExp(memberB.email.replace(/[.+]/g, "\\$&")));
      await first.page.click(`${row} button`);
      await first.page.waitForSelector(`${row}[data-shared]`);
      await openConsole(second.page);
      assert.match(await second.page.textContent("#keys-state") ?? "", /open in this browser/);
      assert.equal(await second.page.isVisible("#queue"), true);
      assert.deepEqual([...first.problems.splice(0), ...second.problems.splice(0)], []);
    });

    it("opens a submission in the second member's browser and approves it", async () => {
      passportSubmission = await submit(holder, slug, ["personal_details", "passport"]);
      await openConsole(second.page);
      await second.page.click(`#queue-list li[data-submission="${passportSubmission}"] a`);
      await second.page.waitForSelector("#submission[data-ready]");
      const text = await second.page.textContent("#submission-items") ?? "";
      assert.match(text, new RegExp(documentNo));
      assert.match(text, /Lovelace/);
      // The scan was downloaded as ciphertext and drawn from the bytes opened here.
      await second.page.waitForSelector("#submission-items figure[data-opened] img.scan-preview");
      await second.page.selectOption("#approve-form select[name=method]", "vpip");
      assert.equal(await second.page.inputValue("#approve-form input[name=valid_until]"), "2032-06-30");
      assert.equal(await second.page.inputValue("#approve-form input.country"), "GB");
      await second.page.click("#approve-form button[type=submit]");
      await second.page.waitForURL((u) => u.searchParams.get("state") === "approved");
      await second.page.waitForSelector("#submission[data-ready] #issued-list li[data-credential]");
      assert.equal(await second.page.locator("#issued-list li[data-credential]").count(), 2);
      assert.deepEqual(second.problems.splice(0), []);
    });

    it("issued credentials that verifyPresentation accepts, and the holder's items show verified", async () => {
      const creds = (await holder.agent.request("GET", "/api/vault/credentials")).json();
      const list = Array.isArray(creds) ? creds : creds.credentials;
      const passport = list.find((c: { type: string }) => c.type === "passport");
      assert.ok(passport, "the holder has a passport credential");
      credentialId = passport.id;
      assert.equal(passport.verification.trust_framework, "eidas");
      assert.equal(passport.verification.evidence[0].method, "vpip");
      const sdJwt = await openJson<string>(holder.keys.encryptionKey, passport.sealed, CREDENTIAL_TYP);
      const result = await presentAndVerify(sdJwt);
      assert.equal(result.verified, true, result.reason);
      assert.equal(result.claims.document_no, documentNo);
      assert.equal(result.verification?.evidence?.[0]?.document_details?.issuer?.country_code, "GB");
      const vault = await readVault(holder);
      for (const type of ["personal_details", "passport"]) assert.equal(vault.items.find((i: { type: string }) => i.type === type).verification, "verified", type);
      assert.notEqual(vault.items.find((i: { type: string }) => i.type === "address").verification, "verified");
    });

    async function presentAndVerify(sdJwt: string) {
      const nonce = crypto.randomBytes(12).toString("base64url");
      const aud = "https://rp.example";
      const presentation = await presentCredential(sdJwt, ["document_no", "document_valid"], holder.keys.signingKey, { aud, nonce });
      return verifyPresentation(presentation, {
        aud,
        nonce,
        maxAgeSeconds: 300,
        keys: async (iss, kid) => {
          const meta = await (await fetch(`${server.url}/.well-known/jwt-vc-issuer${new URL(iss).pathname}`)).json();
          return meta.jwks.keys.find((k: JWK) => k.kid === kid) ?? null;
        },
        status: async (uri) => (await fetch(uri)).text(),
      });
    }

    it("rejects a submission with per-field reasons", async () => {
      const id = await submit(holder, slug, ["address"]);
      await openConsole(first.page, `?state=submitted&submission=${id}`);
      await first.page.waitForSelector("#submission[data-ready] #reject-form:not([hidden])");
      const row = first.page.locator("#reasons fieldset.reason").first();
      await row.locator("select[name=kind]").selectOption("data");
      await row.locator("select[name=field]").selectOption("post_code");
      await row.locator("input[name=message]").fill("The post code does not match the street.");
      await first.page.click("#add-reason");
      const second_ = first.page.locator("#reasons fieldset.reason").nth(1);
      await second_.locator("select[name=kind]").selectOption("unspecified");
      // A reason without a message is refused on the page, naming it.
      await first.page.click("#reject-form button[type=submit]");
      await first.page.waitForSelector("#reject-form .error:not([hidden])");
      await second_.locator("input[name=message]").fill("Please add a utility bill.");
      await first.page.click("#reject-form button[type=submit]");
      await first.page.waitForURL((u) => u.searchParams.get("state") === "rejected");
      await first.page.waitForSelector("#submission[data-ready] #decided-reasons:not([hidden])");
      const subs = (await holder.agent.request("GET", "/api/vault/submissions")).json();
      const mine = (Array.isArray(subs) ? subs : subs.submissions).find((s: { id: string }) => s.id === id);
      assert.equal(mine.state, "rejected");
      assert.deepEqual(
        mine.reasons.map((r: { kind: string; field?: string; itemType: string }) => [r.itemType, r.kind, r.field ?? null]),
        [["address", "data", "post_code"], ["address", "unspecified", null]],
      );
      assert.deepEqual(first.problems.splice(0), []);
    });

    it("revokes the credential: the status list flips and the presentation is reported revoked", async () => {
      await openConsole(first.page, `?state=approved&submission=${passportSubmission}`);
      await first.page.waitForSelector("#submission[data-ready]");
      const row = `#issued-list li[data-credential="${credentialId}"]`;
      await first.page.click(`${row} button.danger`);
      await first.page.waitForSelector(`${row}[data-revoked]`);
      const creds = (await holder.agent.request("GET", "/api/vault/credentials")).json();
      const passport = (Array.isArray(creds) ? creds : creds.credentials).find((c: { id: string }) => c.id === credentialId);
      assert.equal(passport.revoked, true);
      const sdJwt = await openJson<string>(holder.keys.encryptionKey, passport.sealed, CREDENTIAL_TYP);
      const result = await presentAndVerify(sdJwt);
      assert.equal(result.verified, false);
      assert.equal(result.reason, "revoked");
      assert.deepEqual(first.problems.splice(0), []);
    });
  });
}
