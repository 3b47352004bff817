// Findings 13 and 9 in Chromium with the real bundle: the sign-in page refuses a server's KDF
// parameters below the floor built into the script (no derivation, no authKey sent), sign-up
// derives at least at the floor whatever the server asks, and an account left on an older
// KDF_ITERATIONS is upgraded at its next sign-in.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { createHolder, uniqueEmail, type TestHolder } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems, confirmRecoveryKeyOnPage } from "../helpers/browser.js";

const skip = browserSkip();

describe("KDF floor and upgrade in Chromium", { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  async function newPage(): Promise<{ page: Page; problems: string[]; posted: string[] }> {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    const posted: string[] = [];
    page.on("request", (r) => r.method() === "POST" && posted.push(new URL(r.url()).pathname));
    return { page, problems: watchProblems(page), posted };
  }

  async function signIn(page: Page, base: string, h: { email: string; password: string }): Promise<void> {
    await page.goto(`${base}/signin`);
    await page.fill("#signin-form input[name=email]", h.email);
    await page.fill("#signin-form input[name=password]", h.password);
    await page.click("#signin-form button[type=submit]");
  }

  describe("against a server that answers 1,000 iterations", () => {
    let s: TestServer;
    before(async () => {
      s = await startServer("sqlite");
    });
    after(() => s?.close());

    it("refuses to derive: a clear message, and no authKey leaves the page", async () => {
      const holder = await createHolder(s.app.container);
      const { page, problems, posted } = await newPage();
      await signIn(page, s.url, holder);
      await page.waitForSelector("#signin-form .error:not([hidden])");
      const message = (await page.textContent("#signin-form .error"))!;
      assert.match(message, new RegExp(`weak key derivation \\(${TEST_KDF_ITERATIONS} iterations, this page needs at least ${KDF_ITERATIONS_FLOOR}\\)`));
      assert.match(message, /password was not used/);
      assert.deepEqual(posted, ["/api/prelogin"]);
      assert.equal(new URL(page.url()).pathname, "/signin");
      assert.deepEqual(problems, []);
    });

    it("signs up at the floor, not at the server's 1,000, and signs in again", async () => {
      const { page, problems } = await newPage();
      const h = { email: uniqueEmail("floor"), password: "a long enough password" };
      await page.goto(`${s.url}/signup`);
      await page.fill("#signup-form input[name=email]", h.email);
      await page.fill("#signup-form input[name=password]", h.password);
      await page.fill("#signup-form input[name=password2]", h.password);
      await page.click("#signup-form button[type=submit]");
      await confirmRecoveryKeyOnPage(page);
      await page.waitForURL((u) => u.pathname === "/vault");
      assert.equal((await s.app.container.accounts.prelogin(h.email)).iterations, KDF_ITERATIONS_FLOOR);
      const other = await newPage();
      await signIn(other.page, s.url, h);
      await other.page.waitForURL((u) => u.pathname === "/vault");
      assert.deepEqual([...problems, ...other.problems], []);
    });
  });

  describe("after KDF_ITERATIONS was raised", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-kdf-browser-"));
    const raised = KDF_ITERATIONS_FLOOR + 50_000;
    let s: TestServer;
    let holder: TestHolder;
    before(async () => {
      const old = await startServer("sqlite", { DATA_DIR: dataDir, KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR) }, { keepData: true });
      holder = await createHolder(old.app.container);
      await old.close();
      s = await startServer("sqlite", { DATA_DIR: dataDir, KDF_ITERATIONS: String(raised) });
    });
    after(async () => {
      await s?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("upgrades the account at its next sign-in, and it still opens its vault", async () => {
      const before = await s.app.container.accounts.prelogin(holder.email);
      assert.equal(before.iterations, KDF_ITERATIONS_FLOOR);
      const { page, problems, posted } = await newPage();
      await signIn(page, s.url, holder);
      await page.waitForURL((u) => u.pathname === "/vault");
      assert.deepEqual(posted, ["/api/prelogin", "/api/session", "/api/account/kdf"]);
      const after = await s.app.container.accounts.prelogin(holder.email);
      assert.equal(after.iterations, raised);
      assert.notEqual(after.salt, before.salt);
      // The same password opens the re-wrapped vault key in a fresh browser.
      const other = await newPage();
      await signIn(other.page, s.url, holder);
      await other.page.waitForURL((u) => u.pathname === "/vault");
      assert.deepEqual(other.posted, ["/api/prelogin", "/api/session"]);
      assert.deepEqual([...problems, ...other.problems], []);
    });
  });
});
