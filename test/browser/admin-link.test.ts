// The one-time admin link in Chromium on a 390 px wide screen: a visitor is sent to sign in (here:
// to create an account) and back, confirms with the form, lands on the confirmation page (POST →
// redirect → GET), and can open the admin pages; the same link then shows why it is refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
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

describe("admin link in Chromium", { skip }, () => {
  let browser: Browser;
  let s: TestServer;
  before(async () => {
    browser = await launchBrowser();
    s = await startServer("sqlite", { FIRST_USER_IS_ADMIN: "false" });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    return { page, problems: watchProblems(page) };
  }

  async function signUpVia(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.waitForURL((u) => u.pathname === "/signin");
    await page.click("main a[href^='/signup']");
    const password = "a long enough password";
    await page.fill("#signup-form input[name=email]", uniqueEmail("admin"));
    await page.fill("#signup-form input[name=password]", password);
    await page.fill("#signup-form input[name=password2]", password);
    await page.click("#signup-form button[type=submit]");
    await confirmRecoveryKeyOnPage(page);
    await page.waitForURL((u) => u.pathname === "/account/admin-link");
  }

  it("signs up, comes back, confirms once; a second account sees why the link is refused", async () => {
    const { url } = await s.app.container.adminLinks.issue();
    const { page, problems } = await newPage();
    await signUpVia(page, url);
    assert.equal(await overflow(page), "");
    await page.click("main form button[type=submit]");
    await page.waitForSelector("text=You are now an administrator");
    assert.equal(new URL(page.url()).search, "?done=1");
    assert.equal(await overflow(page), "");
    await page.click("a[href='/admin']");
    await page.waitForURL((u) => u.pathname === "/admin");
    assert.deepEqual(problems, []);

    const second = await newPage();
    await signUpVia(second.page, url);
    await second.page.waitForSelector("main .error");
    assert.match((await second.page.textContent("main .error"))!, /already been used/);
    assert.equal(await overflow(second.page), "");
    // The refusal is a 410, which Chromium reports; that, and only that, is expected.
    assert.ok(second.problems.every((p) => p.includes("410")), second.problems.join("\n"));
  });
});
