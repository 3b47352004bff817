// The holder's side of verification in Chromium (issue 9): holder key pairs made at sign-up, and
// for an older account the first time its vault is open (still opening after a recovery, since
// they are wrapped under the vault key); a passport with its scans and the personal details
// submitted to a verifier from the item page (opened with ?verifier=<slug>, as the consent page
// links), the server holding only ciphertext while the verifier's key (held by the test) opens
// the fields and the scans; withdraw; a rejection shown beside the fields it names; an approval
// shown on the card; and an edit of the verified item that warns first, then drops the state.
// On SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import zlib from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { b64uDecode, deriveRecoveryKeys, KDF_ITERATIONS_FLOOR, openFileWithKey, openVaultWithRecoveryKey } from "../../src/crypto/index.js";
import { unwrapHolderKeys } from "../../src/credentials/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { browserSkip, confirmRecoveryKeyOnPage, launchBrowser, screenshot, watchProblems } from "../helpers/browser.js";
import { CANARY_BYTES, CANARY_NAME, CANARY_NUMBER, canaryHits, serverHaystacks } from "../helpers/canary.js";
import { readVault, saveItem, signUpHolder, uploadFile, type VaultHolder } from "../helpers/vault.js";
import { approveSubmission, openSubmission, setUpVerifier, type TestVerifier } from "../helpers/verifier-fixture.js";

const skip = browserSkip();
pgNotice();

/** A real 1×1 PNG with canary bytes after its end, which decoders ignore and a leak would show. */
const scanPng = (): Buffer => Buffer.concat([Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAFhgJ/wlXJ3gAAAABJRU5ErkJggg==", "base64"), CANARY_BYTES, crypto.randomBytes(16)]);

async function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

for (const db of databases()) {
  describe(`the holder's side of verification in Chromium (${db})`, { skip }, () => {
    let server: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    let holder: VaultHolder;
    let holderId: string;
    let verifier: TestVerifier;
    const password = "holder verification password";
    const files: Record<string, Buffer> = {};
    let passportId = "";

    before(async () => {
      [server, browser] = await Promise.all([startServer(db, { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR), LOG_LEVEL: "debug" }), launchBrowser()]);
      verifier = await setUpVerifier(server);
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    const c = () => server.app.container;

    async function signIn(email: string): Promise<void> {
      context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(15_000);
      problems = watchProblems(page);
      await page.goto(`${server.url}/signin`);
      await page.fill("#signin-form input[name=email]", email);
      await page.fill("#signin-form input[name=password]", password);
      await page.click("#signin-form button[type=submit]");
      await page.waitForSelector("header form[action='/signout']");
    }

    async function openItemPage(type: string, query = ""): Promise<void> {
      await page.goto(`${server.url}/vault/${type}${query}`);
      await page.waitForSelector("#doc-form:not([hidden])");
    }

    async function openVault(): Promise<void> {
      await page.goto(`${server.url}/vault`);
      await page.waitForSelector("#vault[data-ready]");
    }

    const text = (selector: string) => page.textContent(selector).then((t) => (t ?? "").replace(/\s+/g, " ").trim());
    const submissions = () => c().submissions.listForHolder(holderId);

    it("makes the holder's key pairs at sign-up, public halves in the clear and private ones wrapped", async () => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      const seen = watchProblems(p);
      const email = uniqueEmail("holder-keys");
      // On to the account page, which has nothing to do with holder keys: they come from the sign-up.
      await p.goto(`${server.url}/signup?next=/account`);
      await p.fill("#signup-form input[name=email]", email);
      await p.fill("#signup-form input[name=password]", password);
      await p.fill("#signup-form input[name=password2]", password);
      await p.click("#signup-form button[type=submit]");
      await confirmRecoveryKeyOnPage(p);
      await p.waitForURL((u) => u.pathname === "/account");
      const account = await c().accounts.getByEmail(email);
      const keys = await c().holderKeys.get(account!.id);
      assert.ok(keys, "holder keys stored at sign-up");
      assert.match(keys.wrapped, /^hk1:/);
      for (const jwk of [keys.signingJwk, keys.encryptionJwk]) {
        assert.equal(jwk.kty, "EC");
        assert.equal(jwk.d, undefined, "no private part on the server");
      }
      assert.notEqual(keys.signingJwk.x, keys.encryptionJwk.x);
      assert.deepEqual(seen, []);
      await ctx.close();
    });

    it("gives an account without holder keys its pair the first time its vault is open; a recovery still opens them", async () => {
      holder = await signUpHolder(server.url, password, KDF_ITERATIONS_FLOOR);
      holderId = (await c().accounts.getByEmail(holder.email))!.id;
      assert.equal(await c().holderKeys.get(holderId), null);
      await signIn(holder.email);
      await openVault();
      const stored = await c().holderKeys.get(holderId);
      assert.ok(stored, "made when the vault was opened");
      const opened = await unwrapHolderKeys(holder.vaultKey, stored.wrapped, holderId);
      assert.equal(opened.signingJwk.x, stored.signingJwk.x);
      assert.equal(opened.encryptionJwk.x, stored.encryptionJwk.x);
      // Opened again, not made again.
      await openVault();
      assert.equal((await c().holderKeys.get(holderId))!.createdAt, stored.createdAt);
      // Recovery (and a password change) re-wrap the vault key only: the vault key it opens is the same.
      const agent = new Agent(server.url);
      await agent.get("/recover");
      const { authKey } = await deriveRecoveryKeys(holder.recoveryKey);
      const res = await agent.request("POST", "/api/recovery/start", { json: { email: holder.email, recoveryAuthKey: authKey } });
      assert.equal(res.status, 200, res.text);
      const recovered = await openVaultWithRecoveryKey(holder.recoveryKey, res.json().recoveryWrappedVaultKey);
      assert.equal((await unwrapHolderKeys(recovered, stored.wrapped, holderId)).signingJwk.x, stored.signingJwk.x);
      assert.deepEqual(problems.splice(0), []);
    });

    it("submits a passport with its scans and the personal details to the verifier the link names", async () => {
      const details = { first_name: "Ada", last_name: CANARY_NAME, birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" };
      assert.equal((await saveItem(holder, "personal_details", details)).res.status, 200);
      const refs: Record<string, unknown> = {};
      for (const role of ["front_side", "selfie"]) {
        const bytes = scanPng();
        const up = await uploadFile(holder, bytes);
        assert.equal(up.status, 201, JSON.stringify(up.body));
        files[up.id] = bytes;
        refs[role] = { id: up.id, mime: "image/png", name: `${role}.png`, size: bytes.length, sha256: up.sealed.sha256 };
      }
      const saved = await saveItem(holder, "passport", { document_no: CANARY_NUMBER, expiry_date: "2034-06-30", ...refs, translation: [] }, { fileIds: Object.keys(files) });
      assert.equal(saved.res.status, 200, saved.res.text);
      passportId = saved.id;

      await openItemPage("passport", `?verifier=${verifier.slug}`);
      await page.waitForSelector("#verify-form:not([hidden])");
      assert.equal(await page.locator(`#verify-form input[name=verifier][value="${verifier.slug}"]`).isChecked(), true);
      const what = await text("#verify-what");
      assert.match(what, new RegExp(`Passport \\(Number: ${CANARY_NUMBER}.*scans: front side, selfie`));
      assert.match(what, /Personal details \(Name: Ada/);
      // Without the personal details, only the passport would go.
      await page.uncheck("#verify-form input[name=personal_details]");
      assert.doesNotMatch(await text("#verify-what"), /Personal details/);
      await page.check("#verify-form input[name=personal_details]");
      await page.click("#verify-form button[type=submit]");
      await page.waitForSelector("#verify[data-state=submitted]");
      assert.match(await text("#verify-state"), new RegExp(`Submitted to ${verifier.name} on .*: waiting for review`));
      assert.equal(new URL(page.url()).search, "", "a reload does not open the form again");
      assert.equal(await page.isVisible("#verify-withdraw"), true);
      assert.deepEqual(problems.splice(0), []);

      const [sub] = await submissions();
      assert.equal(sub!.state, "submitted");
      assert.deepEqual(new Set(sub!.items.map((i) => i.type)), new Set(["passport", "personal_details"]));
      assert.deepEqual(new Set(sub!.fileIds), new Set(Object.keys(files)));

      // The server keeps the sealed JWE and ciphertext only: no field, no scan byte in the clear.
      assert.deepEqual(canaryHits(await serverHaystacks(server)), []);

      // The verifier's key opens it: every field, every scan's key, the holder's public signing key.
      const { sealed, opened } = await openSubmission(server, verifier, sub!.id);
      assert.equal(sealed.split(".").length, 5);
      const passport = opened.items.find((i) => i.type === "passport")!;
      assert.equal(passport.id, passportId);
      assert.equal(passport.fields.document_no, CANARY_NUMBER);
      assert.equal(passport.fields.expiry_date, "2034-06-30");
      assert.deepEqual(passport.files.map((f) => f.role).sort(), ["front_side", "selfie"]);
      assert.equal(opened.items.find((i) => i.type === "personal_details")!.fields.last_name, CANARY_NAME);
      for (const f of passport.files) {
        const { stream } = await c().submissions.file(verifier.slug, verifier.memberId, sub!.id, f.id);
        const ciphertext = await streamBytes(stream);
        assert.equal(crypto.createHash("sha256").update(ciphertext).digest("hex"), f.sha256);
        const key = await crypto.subtle.importKey("raw", b64uDecode(f.key), "AES-GCM", false, ["decrypt"]);
        assert.deepEqual(Buffer.from(await openFileWithKey(key, f.id, new Uint8Array(ciphertext))), files[f.id]);
      }
      const holderKeys = await c().holderKeys.get(holderId);
      assert.equal(opened.holder.signingJwk.x, holderKeys!.signingJwk.x);
      assert.equal(opened.holder.signingJwk.d, undefined);
    });

    it("a verifier link for a document not in the vault yet opens the panel once it is saved", async () => {
      await openItemPage("identity_card", `?verifier=${verifier.slug}&return=/interaction/abc`);
      assert.equal(await text("#verify-state"), "Save this document first; then you can have it verified.");
      await page.fill("input[name=document_no]", "ID123456");
      await page.click("#doc-form button[type=submit]");
      await page.waitForSelector("#verify-form:not([hidden])");
      assert.equal(new URL(page.url()).pathname, "/vault/identity_card");
      assert.equal(await page.locator(`#verify-form input[name=verifier][value="${verifier.slug}"]`).isChecked(), true);
      assert.equal(await page.getAttribute("main a.button:has-text('Cancel')", "href"), "/interaction/abc", "the way back to the request stays");
      assert.deepEqual(problems.splice(0), []);
      await openItemPage("passport");
    });

    it("withdraws a waiting submission and sends it again", async () => {
      await page.click("#verify-withdraw");
      await page.waitForSelector("#verify[data-state=none]");
      assert.equal((await submissions()).find((s) => s.state === "withdrawn")?.items.length, 2);
      assert.equal(await text("#verify-start"), "Get verified");
      await page.click("#verify-start");
      // The only verifier that takes passports is chosen already.
      assert.equal(await page.locator("#verify-form input[name=verifier]:checked").count(), 1);
      await page.click("#verify-form button[type=submit]");
      await page.waitForSelector("#verify[data-state=submitted]");
      assert.equal((await submissions()).filter((s) => s.state === "submitted").length, 1);
      assert.deepEqual(problems.splice(0), []);
    });

    it("shows a rejection's reasons beside the fields and scans they name, on the card and on each item", async () => {
      const waiting = (await submissions()).find((s) => s.state === "submitted")!;
      await c().submissions.reject(verifier.slug, verifier.memberId, waiting.id, [
        { itemType: "passport", kind: "data", field: "document_no", message: "does not match the number on the scan" },
        { itemType: "passport", kind: "selfie", message: "the face is not visible" },
        { itemType: "personal_details", kind: "data", field: "birth_date", message: "differs from the passport" },
      ]);
      await openItemPage("passport");
      await page.waitForSelector("#verify[data-state=rejected]");
      assert.match(await text("#verify-state"), new RegExp(`Rejected by ${verifier.name} \\(2 reasons\\): fix it and submit again`));
      assert.equal(await text("#error-document_no"), `${verifier.name}: does not match the number on the scan`);
      assert.equal(await text("#error-selfie"), `${verifier.name}: the face is not visible`);
      assert.equal(await page.getAttribute("input[name=document_no]", "aria-invalid"), "true");
      assert.deepEqual(await page.locator("#verify-reasons li").allTextContents(), [
        `${verifier.name} about the document number: does not match the number on the scan`,
        `${verifier.name} about the selfie: the face is not visible`,
      ]);
      assert.equal(await text("#verify-start"), "Submit again");
      await screenshot(page, "verification-rejected");
      await openItemPage("personal_details");
      assert.equal(await text("#error-birth_date"), `${verifier.name}: differs from the passport`);
      await openVault();
      assert.match(await text("#doc-passport .doc-verification"), new RegExp(`Rejected by ${verifier.name} \\(2 reasons\\)`));
      assert.match(await text("#doc-personal_details .doc-verification"), new RegExp(`Rejected by ${verifier.name} \\(1 reason\\)`));
      assert.deepEqual(problems.splice(0), []);
    });

    it("shows an approval, and an edit of the verified passport warns first, then drops it", async () => {
      await openItemPage("passport");
      await page.click("#verify-start");
      await page.click("#verify-form button[type=submit]");
      await page.waitForSelector("#verify[data-state=submitted]");
      const waiting = (await submissions()).find((s) => s.state === "submitted")!;
      await approveSubmission(server, verifier, waiting.id);

      await openVault();
      assert.match(await text("#doc-passport .doc-verification"), new RegExp(`Verified by ${verifier.name} until .* \\(eidas, high\\)`));
      assert.match(await text("#doc-passport .doc-badge"), /^verified/);
      assert.match(await text("#doc-personal_details .doc-verification"), /Verified by/);
      await screenshot(page, "verification-vault");

      await openItemPage("passport");
      await page.waitForSelector("#verify[data-state=approved]");
      assert.equal(await page.isVisible("#verify-start"), false);
      await page.fill("input[name=document_no]", "P7654321");
      await page.click("#doc-form button[type=submit]");
      await page.waitForSelector("#verification-warning:not([hidden])");
      assert.match(await text("#verification-warning"), /Saving a change drops that verification/);
      assert.equal(await text("#doc-form button[type=submit]"), "Save anyway");
      const before = (await readVault(holder)).items.find((i: { type: string }) => i.type === "passport");
      assert.equal(before.verification, "verified", "nothing saved before the holder confirms");
      await page.click("#doc-form button[type=submit]");
      await page.waitForURL((u) => u.pathname === "/vault");
      await page.waitForSelector("#vault[data-ready]");
      assert.match(await text("#doc-passport .doc-verification"), new RegExp(`Was verified by ${verifier.name}; changed since`));
      assert.match(await text("#doc-passport .doc-badge"), /^unverified/);
      // The personal details were not changed: still verified.
      assert.match(await text("#doc-personal_details .doc-verification"), /Verified by/);
      const after = (await readVault(holder)).items.find((i: { type: string }) => i.type === "passport");
      assert.equal(after.verification, "unverified");
      assert.equal(after.version, before.version + 1);
      assert.deepEqual(problems.splice(0), []);
    });
  });
}
