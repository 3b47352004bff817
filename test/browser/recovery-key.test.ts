// The recovery key in Chromium (issue 11): copy, download and print at sign-up; the account is
// usable only once the holder types the key's last group back; a sign-up whose tab closed too
// early resumes with a new key; a new key made from the account page replaces the old one.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { deriveRecoveryKeys } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { hitsOf, serverHaystacks } from "../helpers/canary.js";
import { startServer, type TestServer } from "../helpers/server.js";

const skip = browserSkip();

describe("the recovery key in Chromium", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  const email = uniqueEmail("rk-browser");
  const password = "a long enough password";
  const keys: string[] = [];
  const problems: string[] = [];

  const newPage = async (): Promise<Page> => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const seen = watchProblems(page);
    page.on("close", () => problems.push(...seen));
    return page;
  };

  const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  /** Whether the server takes `key` as this account's recovery key (the first step of "forgot password"). */
  async function recoveryWorks(key: string): Promise<boolean> {
    const a = new Agent(server.url);
    await a.get("/recover");
    const { authKey } = await deriveRecoveryKeys(key);
    return (await a.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: authKey } })).status === 200;
  }

  /** The panel: reads the key, checks it is a fresh one, types the last group and confirms. */
  async function confirmShownKey(page: Page): Promise<string> {
    await page.waitForSelector("#recovery:not([hidden])");
    const key = (await page.textContent("#recovery-key"))!.trim();
    assert.match(key, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){13}$/);
    assert.ok(!keys.includes(key), "a new key each time");
    keys.push(key);
    await page.fill("#recovery-confirm", key.split("-").at(-1)!);
    await page.click("#recovery-continue");
    return key;
  }

  before(async () => {
    browser = await launchBrowser();
    server = await startServer("sqlite");
    context = await browser.newContext({ viewport: { width: 390, height: 800 }, acceptDownloads: true });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("offers copy, download and print, then closes the tab before confirming", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/signup`);
    await page.fill("#signup-form input[name=email]", email);
    await page.fill("#signup-form input[name=password]", password);
    await page.fill("#signup-form input[name=password2]", password);
    await page.click("#signup-form button[type=submit]");
    await page.waitForSelector("#recovery:not([hidden])");
    const key = (await page.textContent("#recovery-key"))!.trim();
    keys.push(key);
    assert.equal(await scrollWidth(page), 390, "the key and its buttons fit a 390 px screen");

    await page.click("#recovery-copy");
    await page.waitForSelector("#recovery-note:not([hidden])");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#recovery-download")]);
    assert.match(download.suggestedFilename(), /^passport-recovery-key-.+\.txt$/);
    const text = fs.readFileSync((await download.path())!, "utf8");
    assert.ok(text.includes(key) && text.includes(email), text);

    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void ((window as unknown as { printed: number }).printed += 1);
    });
    await page.click("#recovery-print");
    assert.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1);
    // On paper: the key, without the header, the buttons or the confirmation form.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.isVisible("#recovery-key"), true);
    for (const hidden of ["header.top", "#recovery-copy", "#recovery-confirm-form", "#signin-hint"]) assert.equal(await page.isVisible(hidden), false, hidden);
    await page.emulateMedia({ media: "screen" });

    // A wrong last group is refused next to the field; the account stays unconfirmed.
    const last = key.split("-").at(-1)!;
    await page.fill("#recovery-confirm", (last[0] === "0" ? "1" : "0") + last.slice(1));
    await page.click("#recovery-continue");
    await page.waitForSelector("#recovery-confirm-form .error:not([hidden])");
    assert.equal((await server.app.container.accounts.getByEmail(email))!.recoveryKeyConfirmed, false);
    await page.close();
  });

  it("resumes the sign-up at the next sign-in with a new key: the vault waits until it is confirmed", async () => {
    const page = await newPage();
    await context.clearCookies();
    await page.goto(`${server.url}/signin?next=/vault`);
    await page.fill("#signin-form input[name=email]", email);
    await page.fill("#signin-form input[name=password]", password);
    await page.click("#signin-form button[type=submit]");
    await page.waitForURL((u) => u.pathname === "/recovery-key" && u.searchParams.get("next") === "/vault");
    assert.match((await page.textContent("h1"))!, /Finish setting up your account/);
    await page.fill("#recovery-key-form input[name=password]", "not the password");
    await page.click("#recovery-key-form button[type=submit]");
    await page.waitForSelector("#form-error:not([hidden])");
    await page.fill("#recovery-key-form input[name=password]", password);
    await page.click("#recovery-key-form button[type=submit]");
    await confirmShownKey(page);
    await page.waitForURL((u) => u.pathname === "/vault");
    await page.waitForSelector("#vault[data-ready]");
    assert.equal(await recoveryWorks(keys[0]!), false, "the key of the closed tab was replaced");
    assert.equal(await recoveryWorks(keys[1]!), true);
    await page.close();
  });

  it("makes a new key from the account page; the old one stops working once the new one is confirmed", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/account`);
    await page.click("#recovery-key-section a[href='/recovery-key']");
    await page.waitForURL((u) => u.pathname === "/recovery-key");
    await page.fill("#recovery-key-form input[name=password]", password);
    await page.click("#recovery-key-form button[type=submit]");
    await page.waitForSelector("#recovery:not([hidden])");
    assert.equal(await scrollWidth(page), 390);
    assert.equal(await recoveryWorks(keys[1]!), true, "still the old key until the new one is confirmed");
    await confirmShownKey(page);
    await page.waitForURL((u) => u.pathname === "/account");
    assert.equal(await recoveryWorks(keys[1]!), false);
    assert.equal(await recoveryWorks(keys[2]!), true);
    await page.close();
    // The server never saw any of the keys, with or without their dashes.
    const needles = keys.flatMap((k) => [Buffer.from(k), Buffer.from(k.replace(/-/g, ""))]);
    assert.deepEqual(hitsOf(await serverHaystacks(server), needles), []);
    assert.deepEqual(problems.filter((p) => !/HTTP 400 for POST .*\/api\/account\/recovery-key$/.test(p)), []);
  });
});
