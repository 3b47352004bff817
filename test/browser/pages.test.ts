// Every page in test/helpers/pages.ts, in one Chromium, at 390 and at 1280 px wide: it fits the
// screen (no horizontal scroll, no controls drawn over each other, no text out of its box: see
// test/helpers/layout.ts) and axe-core finds no serious or critical accessibility violation.
// Pages look the same whatever the database, so this runs on SQLite only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { createHolder } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { authRequest, CALLBACK, registerRp, rpKeyPair, startCallback } from "../helpers/oidc.js";
import { formatLayout, layoutProblems } from "../helpers/layout.js";
import { PAGES, VIEWPORTS, type PageCase, type PageFixtures, type Setup } from "../helpers/pages.js";
import { saveItem, signUpHolder, uploadFile, type VaultHolder } from "../helpers/vault.js";
import { registerPassportRp } from "../sharing/flow.js";
import { keyedHolder, seedItem, seedPassport as seedSubmitterPassport, submit } from "../helpers/verifier-console.js";
import { setUpVerifier } from "../helpers/verifier-fixture.js";

const skip = browserSkip();

/**
 * axe-core's serious and critical findings, one line each with the elements they concern. Run at
 * one width only: its rules (names, contrast, structure) do not change with the width, and each
 * run costs a second or more.
 */
async function axeProblems(page: Page): Promise<string[]> {
  // Details only for violations: passes on a long page (the API docs) cost more to report than to check.
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")})`);
}

/** A 1×1 PNG, enough for a scan that decodes into a thumbnail. */
const PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAFhgJ/wlXJ3gAAAABJRU5ErkJggg==", "base64");

/** A passport with its front side in the holder's vault, sealed as the vault page would. */
async function seedPassport(holder: VaultHolder): Promise<void> {
  const up = await uploadFile(holder, PIXEL_PNG);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const front = { id: up.id, mime: "image/png", name: "passport-front.png", size: PIXEL_PNG.length, sha256: up.sealed.sha256 };
  const data = { document_no: "P1234567", expiry_date: "2032-06-30", front_side: front, translation: [] };
  assert.equal((await saveItem(holder, "passport", data, { fileIds: [front.id] })).res.status, 200);
}

/** PAGE_SHOTS=<folder> keeps a full-page picture of every page at every width, to look at. */
async function pageShot(page: Page, name: string): Promise<void> {
  const dir = process.env.PAGE_SHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true });
}

describe("every page fits 390 and 1280 px screens and passes axe-core", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  /** One page per signed-in state, reused from case to case, with its problem list (see watchProblems). */
  const contexts = new Map<Setup, { page: Page; problems: string[] }>();
  let fixtures: PageFixtures;
  let rp: Awaited<ReturnType<typeof startCallback>>;

  async function signedIn(email: string, password: string): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await context.newPage();
    await page.goto(`${server.url}/signin`);
    await page.fill("#signin-form input[name=email]", email);
    await page.fill("#signin-form input[name=password]", password);
    await page.click("#signin-form button[type=submit]");
    await page.waitForSelector("header form[action='/signout']");
    return context;
  }

  before(async () => {
    [server, browser] = await Promise.all([startServer("sqlite", { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR) }), launchBrowser()]);
    // The first account is the administrator.
    const admin = await createHolder(server.app.container, { admin: true, password: "admin password 1" });
    const holder = await signUpHolder(server.url, "holder password 1", KDF_ITERATIONS_FLOOR);
    const details = { first_name: "Ada", last_name: "Lovelace", birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" };
    assert.equal((await saveItem(holder, "personal_details", details)).res.status, 200);
    await seedPassport(holder);
    // A verifier to choose on the passport's "Get verified" panel.
    await setUpVerifier(server);
    const plain = await registerRp(server, { name: "Example Bookshop", scopes: ["openid", "email"] });
    const bank = await registerPassportRp(server, { name: "Example Bank" });
    // Something on every admin page: a client waiting for approval and a registration token.
    const key = await rpKeyPair("ECDH-ES+A256KW", "enc-1", { crv: "P-256" });
    await server.app.container.clients.create(
      { name: "Wine Shop", redirectUris: [CALLBACK], type: "confidential", tokenEndpointAuthMethod: "client_secret_basic", scopes: ["openid", "passport:passport"], jwks: { keys: [key.publicJwk] as never } },
      { purpose: "We check your age before the first order.", requireApproval: true, actor: { via: "console" } },
    );
    await server.app.container.registration.issue({ expiresInMs: 86_400_000, uses: 3 });
    // A verifier for the admin's verifier pages, the holder one of its members.
    await server.app.container.verifiers.create({ slug: "example-kyc", name: "Example KYC Desk", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp", "sripp"] });
    await server.app.container.verifiers.addMember("example-kyc", holder.email);
    // An app the holder has allowed, for the connected-apps page (and a provider session for the logout page).
    rp = await startCallback();
    const news = await registerRp(server, { name: "Example News", scopes: ["openid", "email"], redirectUris: [rp.url] });
    // The holder works for example-kyc (above): the console's first page makes its keys; another
    // holder has documents to submit to it.
    const verifierSlug = "example-kyc";
    const submitter = await keyedHolder(server.url, "submitter password 1");
    await seedItem(submitter, "personal_details", details);
    await seedSubmitterPassport(submitter, "P7654321");
    fixtures = {
      verifierSlug,
      verifierSubmissionPath: async () => `/verifier/${verifierSlug}?state=submitted&submission=${await submit(submitter, verifierSlug, ["personal_details", "passport"])}`,
      clientId: bank.clientId,
      loginAuthorizeUrl: async () => (await authRequest(plain.config)).url.toString(),
      passportAuthorizeUrl: async () => (await authRequest(bank.config, { scope: "openid passport:personal_details passport:id_document" })).url.toString(),
      verifiedAuthorizeUrl: async () => {
        const claims = { userinfo: { verified_claims: { verification: { trust_framework: { value: "eidas" }, assurance_level: { value: "high" } }, claims: { derived: { age_over_18: { essential: true } } } } } };
        return (await authRequest(bank.config, { scope: "openid passport:personal_details passport:derived", claims: JSON.stringify(claims) })).url.toString();
      },
    };

    const anonymous = await browser.newContext({ viewport: VIEWPORTS[0] });
    const holderContext = await signedIn(holder.email, holder.password);
    // The same session in a browser that has no vault key: cookies only, no IndexedDB.
    const locked = await browser.newContext({ viewport: VIEWPORTS[0], storageState: { cookies: (await holderContext.storageState()).cookies, origins: [] } });
    const adminContext = await signedIn(admin.email, admin.password);
    const holderPage = holderContext.pages()[0]!;
    await holderPage.goto((await authRequest(news.config, { redirect_uri: rp.url })).url.toString());
    await holderPage.click("button.primary:has-text('Allow')");
    await holderPage.waitForURL((u) => u.toString().startsWith(rp.url));
    for (const [setup, context] of [["anonymous", anonymous], ["holder", holderContext], ["holder-locked", locked], ["admin", adminContext]] as const) {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(10_000);
      contexts.set(setup, { page, problems: watchProblems(page) });
    }
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  async function open(c: PageCase): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    let shared = contexts.get(c.setup);
    let close = async () => {};
    if (!shared) {
      const context = await browser.newContext({ viewport: VIEWPORTS[0] });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      shared = { page, problems: watchProblems(page) };
      close = () => context.close();
    }
    const { page, problems } = shared;
    problems.splice(0);
    await page.setViewportSize(VIEWPORTS[0]!);
    const target = typeof c.path === "string" ? c.path : await c.path(fixtures);
    const res = await page.goto(new URL(target, server.url).toString());
    assert.equal(res?.status(), c.status ?? 200, `${c.name}: HTTP status`);
    await c.act?.(page);
    if (c.ready) await page.waitForSelector(c.ready);
    return { page, problems, close };
  }

  // PAGES_ONLY=<words> checks only the pages whose name contains them (while fixing one page).
  for (const c of PAGES.filter((p) => p.name.includes(process.env.PAGES_ONLY ?? ""))) {
    it(c.name, async () => {
      const { page, problems, close } = await open(c);
      try {
        const found: string[] = [];
        for (const viewport of VIEWPORTS) {
          await page.setViewportSize(viewport);
          const where = `${c.name} at ${viewport.width} px`;
          const layout = await layoutProblems(page);
          if (layout.length) found.push(formatLayout(where, layout));
          if (viewport === VIEWPORTS[0]) found.push(...(await axeProblems(page)).map((p) => `${where}: axe ${p}`));
          await pageShot(page, `${c.name} ${viewport.width}`);
        }
        assert.deepEqual(found, []);
        // An error page is answered with its status, which Chromium reports; nothing else may appear.
        assert.deepEqual(problems.filter((p) => !(c.status && (p.startsWith(`HTTP ${c.status}`) || p.includes(`status of ${c.status}`)))), []);
      } finally {
        await close();
      }
    });
  }
});
