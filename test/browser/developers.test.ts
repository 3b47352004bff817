// The developer console in Chromium on a 390 px wide screen: a new account registers a client,
// sees its secret once (a reload shows it no more and registers nothing twice), and then the
// playground's "use my own client" mode signs in with that client (code flow, client_secret_post
// from the browser, redirect URI <issuer>/playground/callback).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, confirmRecoveryKeyOnPage, launchBrowser, watchProblems } from "../helpers/browser.js";

const skip = browserSkip();

/** "" when nothing sticks out of a 390 px wide page, else what does. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const wide = [...document.querySelectorAll("body *")].find((el) => el.getBoundingClientRect().right > 390.5);
    return document.documentElement.scrollWidth > 390 ? `${document.documentElement.scrollWidth}px: ${wide?.tagName}.${wide?.className}` : "";
  });

describe("developer console in Chromium", { skip }, () => {
  let browser: Browser;
  let s: TestServer;
  before(async () => {
    browser = await launchBrowser();
    // The browser derives the password key itself and refuses fewer iterations than its floor.
    s = await startServer("sqlite", { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR), FIRST_USER_IS_ADMIN: "false", LOG_LEVEL: "warn" });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it("a new account registers a client, sees the secret once, and signs in with it in the playground", async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    page.setDefaultTimeout(20_000);
    const problems = watchProblems(page);

    await page.goto(`${s.url}/developers`);
    await page.waitForURL((u) => u.pathname === "/signin");
    await page.click("main a[href^='/signup']");
    const password = "a long enough password";
    await page.fill("#signup-form input[name=email]", uniqueEmail("dev"));
    await page.fill("#signup-form input[name=password]", password);
    await page.fill("#signup-form input[name=password2]", password);
    await page.click("#signup-form button[type=submit]");
    await confirmRecoveryKeyOnPage(page);
    await page.waitForURL((u) => u.pathname === "/developers");
    assert.equal(await overflow(page), "");
    assert.ok(await page.isVisible("header a[href='/developers']"), "the header links the console");

    await page.click("main a[href='/developers/clients/new']");
    await page.waitForSelector("#f-name");
    assert.equal(await overflow(page), "");
    await page.fill("#f-name", "My Test App");
    await page.fill("#f-redirectUris", `${s.url}/playground/callback`);
    await page.selectOption("#f-tokenEndpointAuthMethod", "client_secret_post");
    await page.click("main form.admin-form button[type=submit]");
    await page.waitForURL((u) => /^\/developers\/clients\/[0-9a-f]+\/secret$/.test(u.pathname));
    const secretUrl = page.url();
    const clientId = (await page.textContent("#client-id"))!.trim();
    const secret = (await page.textContent("#client-secret"))!.trim();
    assert.match(secret, /^[\w-]{40,}$/);
    assert.equal(await overflow(page), "");

    // A reload shows it no more and registers nothing twice.
    await page.reload();
    assert.equal(page.url(), secretUrl);
    await page.waitForSelector("#secret-gone");
    assert.equal(await page.locator("#client-secret").count(), 0);
    assert.equal((await s.app.container.clients.list()).length, 1);
    await page.goto(`${s.url}/developers/clients/${clientId}`);
    assert.equal(await overflow(page), "");

    // The playground signs in with it.
    await page.goto(`${s.url}/playground?client_id=${clientId}`);
    assert.equal(await page.inputValue("#own-client-id"), clientId);
    await page.fill("#own-client-secret", secret);
    for (const box of await page.locator("#playground-form input[name=scope]").all()) {
      await box.setChecked((await box.getAttribute("value")) === "email");
    }
    assert.equal(await overflow(page), "");
    await page.click("#playground-form button.passport-button");
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    assert.match((await page.textContent("main"))!, /My Test App/);
    await page.click("main button.primary");
    await page.waitForURL((u) => u.pathname === "/playground/callback");
    await page.waitForSelector("#playground-result[data-done]");
    assert.equal(await page.isHidden("#playground-error"), true, (await page.textContent("#playground-error")) ?? "");
    assert.match((await page.textContent("#userinfo"))!, /"email": "dev/);
    assert.deepEqual(problems, []);
  });
});
