// The account console in Chromium, in one browser session: sessions listed with this browser
// marked and times in the holder's own zone, another device signed out from here, a passkey added
// with Chromium's virtual authenticator (CDP WebAuthn, rpID localhost) and then asked for after
// the password, both on Passport's sign-in page and in an OpenID Connect sign-in, the email
// changed by code, and connected apps in words and local time, saying so once everything is
// disconnected. The page fits a 390 px screen.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { derivePasswordKeys } from "../../src/crypto/index.js";
import { Agent } from "../helpers/agent.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { authRequest, CALLBACK, registerRp, type Rp } from "../helpers/oidc.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";

const skip = browserSkip();
/** The browser bundle refuses to derive with fewer (its KDF floor). */
const BROWSER_ITERATIONS = 100_000;
const ZONE = "Asia/Tokyo";

describe("account console in Chromium", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let holder: VaultHolder;
  let rp: Rp;
  let email: string;

  before(async () => {
    browser = await launchBrowser();
    server = await startServer("sqlite");
    holder = await signUpHolder(server.url, "a long enough password", BROWSER_ITERATIONS);
    email = holder.email;
    rp = await registerRp(server, { name: "Console RP" });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: ZONE, locale: "en-GB" });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchProblems(page);
    // The relying party's callback: a plain page, answered here.
    await context.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>RP</title><p>Back at the relying party." }));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  function assertNoProblems(): void {
    assert.deepEqual(problems.splice(0), []);
  }

  async function signIn(): Promise<void> {
    await page.fill("#signin-form input[name=email]", email);
    await page.fill("#signin-form input[name=password]", holder.password);
    await page.click("#signin-form button[type=submit]");
  }

  /** axe-core finds no serious or critical violation on the page as it is now. */
  async function accessible(): Promise<void> {
    const { violations } = await new AxeBuilder({ page: page as never }).analyze();
    const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), []);
  }

  async function fitsWidth(width: number): Promise<void> {
    await page.setViewportSize({ width, height: 800 });
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `the page is ${scroll} px wide at ${width} px`);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it("lists this browser and another device with local times, and signs the other one out", async () => {
    const phone = new Agent(server.url);
    await phone.get("/signin");
    const pre = await phone.request("POST", "/api/prelogin", { json: { email } });
    const { authKey } = await derivePasswordKeys(holder.password, pre.json().kdf);
    const ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    assert.equal((await phone.request("POST", "/api/session", { json: { email, authKey }, headers: { "user-agent": ua } })).status, 200);

    await page.goto(`${server.url}/signin?next=/account`);
    await signIn();
    await page.waitForURL(/\/account$/);
    const mine = page.locator("li.session", { has: page.locator(".badge", { hasText: "this browser" }) });
    assert.match((await mine.locator("strong").textContent())!, /^Chrome \d+ on Linux$/);
    const times = await page.$$eval("time[data-local]", (els) => els.map((e) => ({ text: e.textContent!, iso: (e as HTMLTimeElement).dateTime })));
    assert.ok(times.length >= 4);
    for (const t of times) {
      assert.doesNotMatch(t.text, /UTC/, "every time is shown in the holder's zone");
      const expected = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: ZONE }).format(new Date(t.iso));
      assert.equal(t.text, expected);
    }
    await fitsWidth(390);
    await accessible();

    const other = page.locator("li.session", { hasText: "Chrome 131 on Android" });
    await other.locator("button", { hasText: "Sign out" }).click();
    await page.waitForSelector("#notice");
    assert.equal(await page.textContent("#notice"), "That session was signed out.");
    assert.equal(await page.locator("li.session", { hasText: "on Android" }).count(), 0);
    assert.equal((await phone.get("/api/account")).status, 401);
    assertNoProblems();
  });

  it("adds a passkey with the virtual authenticator; sign-in then asks for it after the password", async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.fill("#passkey-form input[name=name]", "Laptop fingerprint");
    await page.click("#passkey-form button[type=submit]");
    await page.waitForURL(/done=passkey-added/);
    assert.match((await page.textContent("#notice"))!, /passkey was added/);
    assert.equal(await page.inputValue("li.passkey input[name=name]"), "Laptop fingerprint");
    assert.match((await page.textContent("#passkeys"))!, /does not hold the key to your documents/);

    await page.click("header form[action='/signout'] button");
    await page.waitForSelector("a[href='/signup'].button");
    await page.goto(`${server.url}/signin?next=/account`);
    await signIn();
    // The virtual authenticator answers the prompt by itself.
    await page.waitForURL(/\/account$/);
    assert.equal(await page.textContent("header .who"), email);
    const newest = page.locator("li.event").first();
    assert.match((await newest.textContent())!.replace(/\s+/g, " "), /Signed in with passkey/);
    assert.match(await page.inputValue("li.passkey input[name=name]"), /Laptop fingerprint/);
    assert.doesNotMatch((await page.textContent("li.passkey"))!, /not used yet/);
    await fitsWidth(390);
    await accessible();
    assertNoProblems();
  });

  it("asks for the passkey in an OpenID Connect sign-in, then shows the app in words and local time", async () => {
    await page.click("header form[action='/signout'] button");
    await page.waitForSelector("a[href='/signup'].button");
    const req = await authRequest(rp.config);
    await page.goto(req.url.toString());
    await page.waitForSelector("#signin-form");
    await signIn();
    await page.waitForSelector("form[action$='/confirm'] button");
    await page.click("form[action$='/confirm'] button");
    await page.waitForURL((u) => u.toString().startsWith(CALLBACK));
    assert.ok(new URL(page.url()).searchParams.get("code"));

    await page.goto(`${server.url}/connected`);
    const app = page.locator("section.connected-app");
    const scopes = await app.locator("ul.scopes li").allTextContents();
    assert.ok(scopes.includes("Know who you are (a private identifier for this service)"), scopes.join(" | "));
    assert.ok(scopes.every((s) => !s.includes(":") && s !== "openid"), "no raw scope names");
    await page.click("section.connected-app button.danger");
    await page.waitForSelector("#no-apps");
    assert.match((await page.textContent("#no-apps"))!, /^No app is connected now: you have disconnected every app\./);
    await fitsWidth(390);
    await accessible();
    assertNoProblems();
  });

  it("changes the email with a code sent to the new address", async () => {
    const to = uniqueEmail("browser-moved");
    await page.goto(`${server.url}/account#email`);
    await page.fill("#email-form input[name=email]", to);
    await page.click("#email-form button[type=submit]");
    await page.waitForSelector("#email-form .code-step:not([hidden])");
    const outbox = path.join(server.dataDir, "outbox");
    const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8")).find((t) => t.includes(`To: ${to}`));
    const code = /Your Passport code: (\d{6})/.exec(mail ?? "")![1]!;
    await page.fill("#email-form input[name=code]", code);
    await page.fill("#email-form input[name=current]", holder.password);
    await page.click("#email-form button[type=submit]");
    await page.waitForSelector("#email-form .ok:not([hidden]) >> text=You now sign in with");
    assert.equal(await page.textContent("header .who"), to);
    email = to;
    // The same password (and passkey) sign in under the new address.
    await page.click("header form[action='/signout'] button");
    await page.waitForSelector("a[href='/signup'].button");
    await page.goto(`${server.url}/signin?next=/account`);
    await signIn();
    await page.waitForURL(/\/account$/);
    assert.equal(await page.textContent("#account-email"), to);
    assertNoProblems();
  });
});
