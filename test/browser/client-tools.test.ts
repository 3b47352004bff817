// The admin's client tools in Chromium: the list search (a GET form that works without scripts and
// survives a reload), copy buttons (Clipboard API with a visible "Copied"; without it, the text is
// selected and copied the old way; without scripts, no button), the quick start fitting a 390 px
// screen, and "Try this client", which runs the playground's flow with the client's own settings
// (here client_secret_basic, sent from the browser in an Authorization header).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { startServer, type TestServer } from "../helpers/server.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { registerClient, signedIn } from "../admin/admin-helpers.js";
import type { Agent } from "../helpers/agent.js";

const skip = browserSkip();

/** "" when nothing sticks out of the page's width, else what does. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].find((el) => el.getBoundingClientRect().right > w + 0.5);
    return document.documentElement.scrollWidth > w ? `${document.documentElement.scrollWidth}px: ${wide?.tagName}#${wide?.id}.${wide?.className}` : "";
  });

/** axe-core's serious and critical violations on the page, as "rule: target" lines. */
async function axeProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page: page as never }).analyze();
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

/** A browser context signed in as the Agent's account (its session cookie, signed). */
async function contextAs(browser: Browser, s: TestServer, agent: Agent, opts: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  const names = ["passport.sid", "passport.sid.sig"];
  await ctx.addCookies(names.map((name) => ({ name, value: agent.cookie(name)!, url: s.url })));
  return ctx;
}

describe("admin client tools in Chromium", { skip }, () => {
  let browser: Browser;
  let s: TestServer;
  let admin: Agent;
  let app: { clientId: string; secret: string };
  before(async () => {
    browser = await launchBrowser();
    s = await startServer("sqlite", { LOG_LEVEL: "warn" });
    admin = (await signedIn(s, true)).agent;
    app = await registerClient(admin, { name: "Basic Browser App", redirectUris: `https://app.example/cb\n${s.url}/playground/callback`, scopes: ["openid", "email"], subjectType: "public" });
    await registerClient(admin, { name: "Other Shop" });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it("searches, copies the client id and a snippet, and tries the client in the playground", async () => {
    const ctx = await contextAs(browser, s, admin, { viewport: { width: 1280, height: 900 } });
    await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: s.url });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const problems = watchProblems(page);

    await page.goto(`${s.url}/admin`);
    await page.fill("#client-search", "basic browser");
    await page.press("#client-search", "Enter");
    await page.waitForURL((u) => u.searchParams.get("q") === "basic browser");
    await page.reload();
    assert.equal(await page.locator("table.clients tbody tr").count(), 1);
    assert.match((await page.textContent("#search-result"))!, /1 of 2 clients match/);
    assert.deepEqual(await axeProblems(page), []);

    await page.click("table.clients a");
    await page.waitForURL((u) => u.pathname === `/admin/clients/${app.clientId}`);
    await page.click("button[data-copy=client-id]");
    await page.waitForFunction(() => document.querySelector("button[data-copy=client-id] + .copy-status")?.textContent === "Copied");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), app.clientId);
    await page.click("button[data-copy=snippet-openid-client]");
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(snippet.includes(`const clientId = "${app.clientId}";`) && snippet.includes("client.ClientSecretBasic(process.env.PASSPORT_CLIENT_SECRET)"), snippet);
    assert.equal(await overflow(page), "");
    assert.deepEqual(await axeProblems(page), []);

    // Try this client: the playground prefilled with its id and method; the secret pasted by hand.
    await page.click("#try-client");
    await page.waitForURL((u) => u.pathname === "/playground");
    assert.equal(await page.inputValue("#own-client-id"), app.clientId);
    assert.equal(await page.inputValue("#own-client-auth"), "client_secret_basic");
    assert.equal(await page.isChecked("#playground-form input[name=scope][value=email]"), true);
    await page.fill("#own-client-secret", app.secret);
    const tokenAuth: string[] = [];
    page.on("request", (r) => r.url() === `${s.url}/token` && tokenAuth.push(r.headers().authorization ?? "none"));
    await page.click("#playground-form button.passport-button");
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    assert.match((await page.textContent("main"))!, /Basic Browser App/);
    await page.click("main button.primary");
    await page.waitForURL((u) => u.pathname === "/playground/callback");
    await page.waitForSelector("#playground-result[data-done]");
    assert.equal(await page.isHidden("#playground-error"), true, (await page.textContent("#playground-error")) ?? "");
    assert.match((await page.textContent("#userinfo"))!, /"email": "/);
    assert.match(tokenAuth[0] ?? "", /^Basic /, "the secret went in an Authorization header");
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  it("without the Clipboard API selects and copies the text; without scripts shows no button and still searches; fits 390 px", async () => {
    const ctx = await contextAs(browser, s, admin, { viewport: { width: 390, height: 800 } });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    // As on a plain-http address (no secure context): no Clipboard API at all.
    await page.addInitScript(() => Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true }));
    await page.goto(`${s.url}/admin/clients/${app.clientId}`);
    assert.equal(await overflow(page), "");
    await page.click("button[data-copy=client-id]");
    await page.waitForFunction(() => (document.querySelector("button[data-copy=client-id] + .copy-status")?.textContent ?? "") !== "");
    assert.match((await page.textContent("button[data-copy=client-id] + .copy-status"))!, /^(Copied|Selected: press Ctrl\+C)/);
    assert.equal(await page.evaluate(() => typeof navigator.clipboard), "undefined");
    assert.equal(await page.evaluate(() => getSelection()?.toString().trim()), app.clientId);
    // (The client list's table at 390 px is issue 11's layout item, checked with the other pages.)
    assert.deepEqual(problems, []);
    await ctx.close();

    const noJs = await contextAs(browser, s, admin, { javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
    const plain = await noJs.newPage();
    await plain.goto(`${s.url}/admin/clients/${app.clientId}`);
    assert.equal(await plain.isVisible("button[data-copy=client-id]"), false, "no dead button without scripts");
    await plain.goto(`${s.url}/admin`);
    await plain.fill("#client-search", "other");
    await plain.click("form.search button[type=submit]");
    await plain.waitForURL((u) => u.searchParams.get("q") === "other");
    assert.deepEqual(await plain.locator("table.clients tbody a").allTextContents(), ["Other Shop"]);
    await noJs.close();
  });
});
