// The admin pages and the account page in Chromium, one session for several checks: registering a
// client and rotating its secret each happen once however often the page is reloaded (the secret
// is shown once, rotating asks first); Passport scopes without an encryption key are refused beside
// the JWKS field; the only administrator cannot delete their account; a mistyped current password
// says so; a holder who is not an admin gets a page that says what is not allowed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { verifyClientSecret } from "../../src/services/client-secrets.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, confirmRecoveryKeyOnPage, launchBrowser, watchProblems } from "../helpers/browser.js";

const skip = browserSkip();
const PASSWORD = "a long enough password";

async function signUp(page: Page, s: TestServer, email: string): Promise<void> {
  await page.goto(`${s.url}/signup`);
  await page.fill("#signup-form input[name=email]", email);
  await page.fill("#signup-form input[name=password]", PASSWORD);
  await page.fill("#signup-form input[name=password2]", PASSWORD);
  await page.click("#signup-form button[type=submit]");
  await confirmRecoveryKeyOnPage(page);
  await page.waitForURL((u) => u.pathname === "/vault");
}

describe("admin and account pages in Chromium", { skip }, () => {
  let browser: Browser;
  let s: TestServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const adminEmail = uniqueEmail("only-admin");

  before(async () => {
    // The first account to sign up is the admin; the browser derives keys at its floor.
    [browser, s] = await Promise.all([launchBrowser(), startServer("sqlite", { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR), LOG_LEVEL: "warn" })]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    problems = watchProblems(page);
    await signUp(page, s, adminEmail);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** Expected refusals (400 forms, 409 answers) are reported by Chromium as failed loads. */
  const expectRefusals = (...statuses: number[]) => {
    // Each shows twice: the response, and the console's "Failed to load resource" for it.
    const seen = problems.splice(0).filter((p) => !/Failed to load resource: the server responded with a status of (400|409)\b/.test(p));
    assert.deepEqual(seen.map((p) => Number(/^HTTP (\d+)/.exec(p)?.[1])), statuses, seen.join("\n"));
  };

  it("the only admin cannot delete their account; a wrong current password says so", async () => {
    await page.goto(`${s.url}/account`);
    await page.fill("#delete-form input[name=password]", PASSWORD);
    await page.check("#delete-form input[name=confirm]");
    await page.click("#delete-form button[type=submit]");
    await page.waitForSelector("#delete-form .error:not([hidden])");
    assert.match((await page.textContent("#delete-form .error"))!, /^This is the only administrator account, so you cannot delete this account\. Make another account an administrator first/);
    assert.ok(await s.app.container.accounts.getByEmail(adminEmail), "the account is still there");
    expectRefusals(409);

    await page.fill("#password-form input[name=current]", "not the current password");
    await page.fill("#password-form input[name=password]", "a brand new password");
    await page.fill("#password-form input[name=password2]", "a brand new password");
    await page.click("#password-form button[type=submit]");
    await page.waitForSelector("#password-form .error:not([hidden])");
    assert.equal(await page.textContent("#password-form .error"), "The current password is wrong.");
    expectRefusals();
  });

  it("refuses Passport scopes without an encryption key beside the JWKS field", async () => {
    await page.goto(`${s.url}/admin/clients/new`);
    await page.fill("#f-name", "Keyless Bank");
    await page.fill("#f-redirectUris", "https://bank.example/cb");
    await page.check("input[name=scopes][value='passport:passport']");
    await page.click("main form.admin-form button[type=submit]");
    await page.waitForSelector("#error-jwks");
    assert.match((await page.textContent("#error-jwks"))!, /Passport scopes \(passport:passport\) need the client's public encryption key: add an RSA key/);
    assert.equal((await s.app.container.clients.list()).length, 0);
    expectRefusals(400);
  });

  it("registers once and rotates once, however often the page is reloaded; rotating asks first", async () => {
    await page.goto(`${s.url}/admin/clients/new`);
    await page.fill("#f-name", "Reload Bank");
    await page.fill("#f-redirectUris", "https://bank.example/cb");
    await page.click("main form.admin-form button[type=submit]");
    await page.waitForURL((u) => /^\/admin\/clients\/[0-9a-f]+\/secret$/.test(u.pathname));
    const clientId = (await page.textContent("#client-id"))!.trim();
    const first = (await page.textContent("#client-secret"))!.trim();
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await page.waitForSelector("#secret-gone");
      assert.equal(await page.locator("#client-secret").count(), 0, "shown once");
    }
    assert.equal((await s.app.container.clients.list()).length, 1, "registered once");
    const secretOf = async () => (await s.app.container.clients.findEnabledMetadata(clientId))?.client_secret;
    assert.ok(verifyClientSecret(await secretOf(), first));

    await page.goto(`${s.url}/admin/clients/${clientId}`);
    await page.click(`a[href='/admin/clients/${clientId}/rotate-secret']`);
    await page.waitForURL((u) => u.pathname.endsWith("/rotate-secret"));
    assert.match((await page.textContent("main"))!, /the current secret stops working at once/);
    assert.ok(verifyClientSecret(await secretOf(), first), "opening the confirmation rotates nothing");
    await page.click("main form button.primary");
    await page.waitForURL((u) => u.pathname.endsWith("/secret"));
    const rotated = (await page.textContent("#client-secret"))!.trim();
    assert.notEqual(rotated, first);
    await page.reload();
    await page.waitForSelector("#secret-gone");
    assert.ok(verifyClientSecret(await secretOf(), rotated), "the reload did not rotate again: the copied secret works");
    expectRefusals();
  });

  it("a holder who is not an admin is told what is not allowed", async () => {
    const other = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const p = await other.newPage();
    p.setDefaultTimeout(20_000);
    const email = uniqueEmail("not-admin");
    await signUp(p, s, email);
    const res = await p.goto(`${s.url}/admin`);
    assert.equal(res?.status(), 403);
    assert.equal(await p.textContent("main h1"), "Not allowed");
    assert.match((await p.textContent("main .error"))!, new RegExp(`Only administrators may open the admin pages, and ${email.replace(/[.]/g, "\\.")} is not one`));
    assert.doesNotMatch((await p.textContent("main"))!, /Something went wrong/);

    // The developer console shares the client pages: registering and rotating happen once there too.
    await p.goto(`${s.url}/developers/clients/new`);
    await p.fill("#f-name", "Console App");
    await p.fill("#f-redirectUris", "https://app.example/cb");
    await p.click("main form.admin-form button[type=submit]");
    await p.waitForURL((u) => /^\/developers\/clients\/[0-9a-f]+\/secret$/.test(u.pathname));
    const clientId = (await p.textContent("#client-id"))!.trim();
    const count = (await s.app.container.clients.list()).length;
    await p.reload();
    await p.waitForSelector("#secret-gone");
    assert.equal((await s.app.container.clients.list()).length, count, "a reload registers nothing");
    await p.goto(`${s.url}/developers/clients/${clientId}/rotate-secret`);
    await p.click("main form button.primary");
    await p.waitForURL((u) => u.pathname.endsWith("/secret"));
    const rotated = (await p.textContent("#client-secret"))!.trim();
    await p.reload();
    await p.waitForSelector("#secret-gone");
    assert.ok(verifyClientSecret((await s.app.container.clients.findEnabledMetadata(clientId))?.client_secret, rotated), "a reload rotates nothing");
    await other.close();
  });
});
