// The consent page with verified data, in Chromium at 390 px: the holder's personal details carry a
// bank's attestation (issued and stored through the verifier API), the passport does not. The page
// says which requested item is verified to the relying party's standard and by whom, lets the
// holder untick a verified field (not an essential one), links an unverified item to a verifier
// that meets the standard, and shows a derived-only request as exactly the claims that go, with no
// document. What arrives is checked with openid-client, the SDK and the verifier's published keys,
// and the playground (its relying party in this browser) shows each item's verdict from the SDK.
// Pages behave the same whatever the database, so this runs on SQLite only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";
import { verifyPresentation } from "../../src/credentials/index.js";
import { openPassport } from "../../src/sdk/index.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { createHolder } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, watchProblems } from "../helpers/browser.js";
import { formatLayout, layoutProblems } from "../helpers/layout.js";
import { authRequest, redeem, startCallback, type AuthRequest } from "../helpers/oidc.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument } from "../sharing/documents.js";
import { registerPassportRp, type PassportRp } from "../sharing/flow.js";
import { apiVerifier, publishedKeys, storeHolderKeys, verifyThroughApi, type ApiVerifier } from "../sharing/verifier-api.js";

const skip = browserSkip();
const claimsParam = (verification: unknown, claims: Record<string, unknown>) => JSON.stringify({ userinfo: { verified_claims: { verification, claims } } });

describe("consent with verified data", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let holder: VaultHolder;
  let bank: ApiVerifier;
  let rp: PassportRp;
  let callback: Awaited<ReturnType<typeof startCallback>>;

  before(async () => {
    [server, browser] = await Promise.all([startServer("sqlite", { KDF_ITERATIONS: String(KDF_ITERATIONS_FLOOR) }), launchBrowser()]);
    await createHolder(server.app.container, { admin: true });
    holder = await signUpHolder(server.url, "verified password 1", KDF_ITERATIONS_FLOOR);
    const pd = await storeDocument(holder, "personal_details");
    await storeDocument(holder, "passport");
    const keys = await storeHolderKeys(holder);
    bank = await apiVerifier(server, { slug: "bank", name: "Example Bank KYC", iterations: KDF_ITERATIONS_FLOOR });
    await verifyThroughApi(bank, holder, keys, [pd]);
    callback = await startCallback();
    rp = await registerPassportRp(server, { name: "Example Wine Shop", input: { redirectUris: [callback.url] } });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    problems = watchProblems(page);
    await page.goto(`${server.url}/signin`);
    await page.fill("#signin-form input[name=email]", holder.email);
    await page.fill("#signin-form input[name=password]", holder.password);
    await page.click("#signin-form button[type=submit]");
    await page.waitForSelector("header form[action='/signout']");
  });

  after(async () => {
    await browser?.close();
    await callback?.close();
    await server?.close();
  });

  async function openConsent(scope: string, claims: string): Promise<AuthRequest> {
    const req = await authRequest(rp.config, { scope, claims, redirect_uri: callback.url });
    await page.goto(req.url.toString());
    await page.waitForSelector("#consent[data-ready]");
    const layout = await layoutProblems(page);
    assert.deepEqual(layout, [], formatLayout("consent", layout));
    const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
    assert.deepEqual(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id), []);
    return req;
  }

  async function allowAndOpen(req: AuthRequest) {
    await page.click("#allow");
    await page.waitForURL((u) => u.toString().startsWith(callback.url));
    const tokens = await redeem(rp.config, new URL(page.url()), req);
    const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
    return openPassport(userinfo, rp.privateKey, { issuer: server.url, clientId: rp.clientId, nonce: req.nonce, sub: userinfo.sub });
  }

  it("says which item is verified to the standard and by whom, and links the other to a verifier that meets it", async () => {
    await openConsent("openid passport:personal_details passport:passport", claimsParam({ trust_framework: { value: "eidas" } }, {}));
    assert.match(await page.textContent("#consent-standard") ?? "", /verified documents only: under eidas/);
    assert.equal(await page.textContent("[data-key=personal_details] .badge.on"), "verified by Example Bank KYC");
    const link = page.locator("[data-key=passport] .consent-unverified a[data-verifier=bank]");
    assert.match((await link.getAttribute("href")) ?? "", /^\/vault\/passport\?verifier=bank&return=/);
    assert.match((await page.textContent("[data-key=passport] .consent-unverified")) ?? "", /it is not verified/);
    assert.equal(await page.isDisabled("#allow"), true, "Allow waits until the passport is verified");
    assert.match((await page.textContent("#consent-problems")) ?? "", /passport is not verified/i);
    assert.deepEqual(problems.splice(0), []);
  });

  it("shares the verified fields the holder leaves ticked, with the bank's attestation of exactly those", async () => {
    const req = await openConsent(
      "openid passport:personal_details",
      claimsParam({ trust_framework: { value: "eidas" } }, { personal_details: { first_name: { essential: true }, last_name: null, birth_date: null } }),
    );
    assert.equal(await page.isDisabled("#disclose-personal_details-first_name"), true, "an essential field stays ticked");
    assert.equal(await page.isChecked("#disclose-personal_details-first_name"), true);
    await page.uncheck("#disclose-personal_details-birth_date");
    assert.doesNotMatch((await page.textContent("[data-key=personal_details] .consent-reads")) ?? "", /date of birth/);
    const payload = await allowAndOpen(req);
    assert.deepEqual(payload.data.personal_details!.fields, { first_name: "Anna", last_name: "Schmidt" });
    const r = await verifyPresentation(payload.data.personal_details!.credential!, publishedKeys({ aud: rp.clientId, nonce: req.nonce }));
    assert.equal(r.verified, true, r.message);
    assert.deepEqual(r.claims, { first_name: "Anna", last_name: "Schmidt" });
    assert.deepEqual(problems.splice(0), []);
  });

  it("shows a derived-only request as the claims that go, with no document, and delivers only them", async () => {
    const req = await openConsent("openid passport:derived", claimsParam({ trust_framework: { value: "eidas" } }, { derived: { age_over_18: { essential: true }, nationality: null } }));
    assert.match((await page.textContent("h1")) ?? "", /asks for verified facts about you/);
    const section = (await page.textContent("[data-key=derived]")) ?? "";
    assert.match(section, /You are over 18/);
    assert.match(section, /verified by Example Bank KYC under eidas, high/);
    assert.equal(await page.locator(".consent-item").count(), 0, "no document is shown: none goes");
    assert.equal(await page.isDisabled("#derived-age_over_18"), true);
    await page.uncheck("#derived-nationality");
    const payload = await allowAndOpen(req);
    assert.deepEqual(payload.data, {});
    assert.deepEqual(payload.derived!.verified_claims.claims, { age_over_18: true });
    const r = await verifyPresentation(payload.derived!.credential, publishedKeys({ aud: rp.clientId, nonce: req.nonce }));
    assert.equal(r.verified, true, r.message);
    assert.deepEqual(r.claims, { age_over_18: true });
    assert.deepEqual(problems.splice(0), []);
  });

  it("the playground checks each shared item's attestation with the SDK: verified by whom, or why not", async () => {
    await page.goto(`${server.url}/playground`);
    const wanted = ["passport:personal_details", "passport:passport", "passport:derived"];
    for (const box of await page.locator("#playground-form input[name=scope]").all()) {
      await box.setChecked(wanted.includes((await box.getAttribute("value"))!));
    }
    await page.click("#playground-form button.passport-button");
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    await page.waitForSelector("#consent[data-ready]");
    await page.click("#allow");
    await page.waitForURL((u) => u.pathname === "/playground/callback");
    await page.waitForSelector("#playground-result[data-done]");
    assert.equal(await page.isHidden("#playground-error"), true, (await page.textContent("#playground-error")) ?? "");
    const row = async (item: string) => (await page.textContent(`#attestations li[data-item=${item}]`)) ?? "";
    assert.match(await row("personal_details"), new RegExp(`personal details: verified by ${bank.issuer} under eidas, high`));
    assert.match(await row("passport"), /passport: not verified \(no attestation: self-asserted\)/);
    assert.match(await row("derived"), /derived: verified by .* Claims: age_over_18/);
    const layout = await layoutProblems(page);
    assert.deepEqual(layout, [], formatLayout("playground result", layout));
    assert.deepEqual(problems.splice(0), []);
  });
});
