// Signing in to a relying party with the keyboard alone, in Chromium: from the authorization
// request, Tab, Shift+Tab, typing, Enter and Space reach and fill the sign-in form, then allow the
// consent (plain OpenID and Passport documents), and a real code comes back. No click, no
// page.fill: only key presses. Every element the focus lands on shows a visible focus ring.
// Pages behave the same whatever the database, so this runs on SQLite only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { createHolder } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { authRequest, redeem, registerRp, startCallback, type Rp } from "../helpers/oidc.js";
import { saveItem, signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { registerPassportRp } from "../sharing/flow.js";

const skip = browserSkip();

/** What has the focus: a short description, and whether a focus ring is drawn around it. */
interface Focused {
  what: string;
  ring: boolean;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { what: "body", ring: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== "none";
    const label = el.getAttribute("name") ?? el.getAttribute("href") ?? (el.textContent ?? "").trim().slice(0, 30);
    return { what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} ${label}`, ring: outline || shadow };
  });
}

/**
 * Presses Tab (Shift+Tab with `back`) until the focus is on an element matching `selector`, at most
 * 30 times (a Playwright selector). Every stop on the way must show a focus ring.
 */
async function tabTo(page: Page, selector: string, back = false): Promise<void> {
  const seen: string[] = [];
  const target = page.locator(selector).first();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const now = await focused(page);
    seen.push(now.what);
    assert.ok(now.ring, `no visible focus ring on ${now.what}`);
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  assert.fail(`${selector} was not reached with ${back ? "Shift+Tab" : "Tab"}; the focus went through ${seen.join(" → ")}`);
}

describe("sign-in and consent with the keyboard alone", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let holder: VaultHolder;
  let plain: Rp;
  let bank: Rp;
  let rp: Awaited<ReturnType<typeof startCallback>>;

  before(async () => {
    [server, browser] = await Promise.all([startServer("sqlite", { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR) }), launchBrowser()]);
    await createHolder(server.app.container, { admin: true });
    // Signed up over HTTP at the browser's KDF floor, with personal details to share.
    holder = await signUpHolder(server.url, "keyboard password 1", KDF_ITERATIONS_FLOOR);
    const details = { first_name: "Ada", last_name: "Lovelace", birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" };
    assert.equal((await saveItem(holder, "personal_details", details)).res.status, 200);
    rp = await startCallback();
    plain = await registerRp(server, { name: "Example Bookshop", scopes: ["openid", "email"], redirectUris: [rp.url] });
    bank = await registerPassportRp(server, { name: "Example Bank", input: { redirectUris: [rp.url] } });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  it("skip link first, then the sign-in form; Shift+Tab goes back; Enter signs in; Space allows; the code is redeemed", async () => {
    const req = await authRequest(plain.config, { redirect_uri: rp.url });
    await page.goto(req.url.toString());
    await page.waitForSelector("#signin-form");
    // The page starts with the focus in the email field (autofocus). Shift+Tab walks back through
    // the header to the skip link, the first stop of the page; Enter on it moves to the content.
    assert.match((await focused(page)).what, /^input email/);
    await tabTo(page, ".skip-link", true);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main", "the skip link moves the focus to the content");

    await tabTo(page, "#signin-form input[name=email]");
    await page.keyboard.type(holder.email);
    await tabTo(page, "#signin-form input[name=password]");
    await page.keyboard.type("a wrong guess");
    // Back to the email field and forth again: Shift+Tab keeps the form's order.
    await tabTo(page, "#signin-form input[name=email]", true);
    await tabTo(page, "#signin-form input[name=password]");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(holder.password);
    await page.keyboard.press("Enter");

    await page.waitForSelector("ul.scopes");
    // "Allow" has the focus on arrival (autofocus); Tab moves on to "Deny", Shift+Tab comes back.
    assert.match((await focused(page)).what, /Allow/);
    await tabTo(page, "button:text-is('Deny')");
    await tabTo(page, "button:text-is('Allow')", true);
    await page.keyboard.press("Space");

    await page.waitForURL((u) => u.toString().startsWith(rp.url));
    const tokens = await redeem(plain.config, new URL(page.url()), req);
    assert.ok(tokens.claims()?.sub);
    assert.deepEqual(problems.splice(0), []);
  });

  it("allows a Passport consent with the keyboard: the documents, then Allow with Enter", async () => {
    const req = await authRequest(bank.config, { scope: "openid passport:personal_details", redirect_uri: rp.url });
    await page.goto(req.url.toString());
    await page.waitForSelector("#consent[data-ready]");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, "#allow");
    // Past Allow to Deny and back: the buttons are in reading order.
    await tabTo(page, "button:text-is('Deny')");
    await tabTo(page, "#allow", true);
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.toString().startsWith(rp.url));
    const callback = new URL(page.url());
    assert.equal(callback.searchParams.get("state"), req.state);
    assert.ok(callback.searchParams.get("code"), "a code arrives");
    assert.deepEqual(problems.splice(0), []);
  });
});
