// "Sign in with Passport" from the playground's button to the decrypted result, in Chromium. The
// holder's vault is seeded over HTTP (personal details, a passport and an identity card, each with
// a PNG front side); the browser signs in with the same password, so the consent page opens those
// items itself. Runs: a one-of choice (the identity card, not the passport); a missing address
// added in the vault editor and back to the same request, after a refused first try; a remembered
// consent that continues by itself; one that the holder stops and denies. Any console error or CSP
// violation fails the step it happened in. SCREENSHOTS=1 also writes the README's pictures.
//
// The playground's relying party runs in this Chromium: its key pair is made here (non-extractable),
// the code is redeemed and the payload and scans opened here. The last steps check that the
// server, after all these shares, holds no key that opens any of them, and no canary.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { CompactEncrypt, exportJWK, generateKeyPair } from "jose";
import type { Browser, Page } from "playwright-core";
import { sealFile } from "../../src/crypto/envelope.js";
import { ClientEntity, ServerKeyEntity, ShareEntity } from "../../src/db/entities.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { CANARY_NUMBER, CANARY_SCAN, canaryHits, serverHaystacks } from "../helpers/canary.js";
import { keysThatOpen, sealedOnServer, serverHeldKeys } from "../helpers/held-keys.js";
import { browserSkip, launchBrowser, screenshot, watchProblems } from "../helpers/browser.js";
import { saveItem, signUpHolder, uploadFile, type VaultHolder } from "../helpers/vault.js";
import { KDF_ITERATIONS_FLOOR } from "../../src/crypto/index.js";

const skip = browserSkip();

/**
 * A real 8-bit RGB PNG: a coloured header bar over a light card with a photo box and text lines.
 * `extra` goes into a private ancillary chunk ("caNy"), which decoders skip: a canary in a real image.
 */
function cardPng(bar: [number, number, number], width = 200, height = 126, extra?: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([len, typed, crc]);
  };
  const stride = width * 3 + 1;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inPhoto = x >= 12 && x < 62 && y >= 34 && y < 104;
      const inLine = x >= 74 && x < 184 - Math.floor((y - 38) / 14) * 18 && y >= 38 && y < 104 && y % 14 < 5;
      const rgb = y < 24 ? bar : inPhoto ? [150, 160, 180] : inLine ? [92, 100, 116] : [244, 246, 250];
      pixels.set(rgb, y * stride + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const canary = extra ? [chunk("caNy", extra)] : [];
  return Buffer.concat([signature, chunk("IHDR", header), ...canary, chunk("IDAT", zlib.deflateSync(pixels)), chunk("IEND", Buffer.alloc(0))]);
}

async function seedScan(h: VaultHolder, png: Buffer, name: string) {
  const up = await uploadFile(h, png);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  return { id: up.id, mime: "image/png", name, size: png.length, sha256: up.sealed.sha256 };
}

/** Stores an identity document with `png` as its front side (and a selfie if given), sealed as the vault page would. */
async function seedIdentityDocument(h: VaultHolder, type: string, documentNo: string, png: Buffer, selfiePng?: Buffer, expiry = "2032-06-30"): Promise<void> {
  const front = await seedScan(h, png, `${type}-front.png`);
  const selfie = selfiePng ? await seedScan(h, selfiePng, `${type}-selfie.png`) : undefined;
  const data = { document_no: documentNo, expiry_date: expiry, front_side: front, ...(selfie ? { selfie } : {}), translation: [] };
  const { res } = await saveItem(h, type, data, { fileIds: [front.id, ...(selfie ? [selfie.id] : [])] });
  assert.equal(res.status, 200, res.text);
}

describe("Sign in with Passport through the playground in Chromium", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  /** Every request the page made itself (fetches included): the relying party's calls show here. */
  const browserCalls: string[] = [];
  const password = "playground holder password";
  let holder: VaultHolder;
  const passportNo = `P${crypto.randomBytes(4).toString("hex").toUpperCase()}`;
  // The identity card is the canary: its number and front side must exist in plain text only in browsers.
  const idCardNo = CANARY_NUMBER;

  before(async () => {
    [server, browser] = await Promise.all([startServer("sqlite", { LOG_LEVEL: "debug" }), launchBrowser()]);
    // The browser signs this holder in, so the KDF cost must clear the bundle's floor.
    holder = await signUpHolder(server.url, password, KDF_ITERATIONS_FLOOR);
    const details = { first_name: "Ada", last_name: "Lovelace", birth_date: "1990-12-10", gender: "female", country_code: "GB", residence_country_code: "GB" };
    assert.equal((await saveItem(holder, "personal_details", details)).res.status, 200);
    await seedIdentityDocument(holder, "passport", passportNo, cardPng([31, 94, 255]), cardPng([120, 60, 160], 90, 120));
    await seedIdentityDocument(holder, "identity_card", idCardNo, cardPng([46, 125, 50], 200, 126, CANARY_SCAN));

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchProblems(page);
    page.on("request", (r) => browserCalls.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.goto(`${server.url}/signin?next=/playground`);
    await page.fill("#signin-form input[name=email]", holder.email);
    await page.fill("#signin-form input[name=password]", password);
    await page.click("#signin-form button[type=submit]");
    await page.waitForURL((u) => u.pathname === "/playground").catch(async (e) => { console.log("DEBUG", page.url(), problems, (await page.content()).slice(-3000)); throw e; });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  function assertNoProblems(): void {
    assert.deepEqual(problems.splice(0), []);
  }

  /** Fills the playground form with exactly `scopes` and the selfie option ("don't ask" unless given), and presses the button. */
  async function signInWithPassport(scopes: string[], selfie: "no" | "optional" | "required" = "no"): Promise<void> {
    if (new URL(page.url()).pathname !== "/playground") await page.goto(`${server.url}/playground`);
    for (const box of await page.locator("#playground-form input[name=scope]").all()) {
      await box.setChecked(scopes.includes((await box.getAttribute("value"))!));
    }
    await page.selectOption("#playground-form select[name=selfie]", selfie);
    await page.click("#playground-form button.passport-button");
  }

  async function consentReady(): Promise<void> {
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    await page.waitForSelector("#consent[data-ready]");
  }

  const text = (selector: string) => page.textContent(selector).then((t) => t ?? "");

  /** The callback page once this browser has redeemed the code (or shown why it could not). */
  async function callbackDone(): Promise<void> {
    await page.waitForURL((u) => u.pathname === "/playground/callback");
    await page.waitForSelector("#playground-result[data-done]");
  }

  /** The result page: the raw JWE and what the playground decrypted from it, in this browser. */
  async function result(): Promise<{ jwe: string; decrypted: string }> {
    await callbackDone();
    assert.equal(await page.isHidden("#playground-error"), true, await text("#playground-error"));
    return { jwe: (await text("#raw-jwe")).trim(), decrypted: await text("#decrypted") };
  }

  it("shares the identity card chosen among two identity documents; the result shows it decrypted", async () => {
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    await consentReady();
    assert.equal(await page.isVisible("#consent-remembered"), false, "asked for the first time");
    assert.match(await text("#consent .consent-entry[data-key=personal_details]"), /First name\s*Ada/);
    // Both documents are offered; the first that fits is preselected and shown decrypted.
    assert.equal(await page.isChecked("#pick-id_document-passport"), true);
    assert.equal(await page.isChecked("#pick-id_document-identity_card"), false);
    const idEntry = "#consent .consent-entry[data-key=id_document]";
    assert.match(await text(idEntry), new RegExp(`Document number\\s*${passportNo}`));
    await page.check("#pick-id_document-identity_card");
    await page.waitForSelector(`${idEntry} .consent-item[data-type=identity_card]`);
    const idText = await text(idEntry);
    assert.match(idText, new RegExp(`Document number\\s*${idCardNo}`));
    assert.ok(!idText.includes(passportNo), "only the chosen document is shown");
    assert.match(idText, /will be able to read: document number, expiry date and the front side scan\./);
    assert.equal(await page.locator(`${idEntry} .consent-part`).count(), 0, "no selfie was asked for");
    // The front side, decrypted in this page from the sealed scan.
    await page.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(sel);
      return !!img && img.complete && img.naturalWidth === 200 && img.src.startsWith("data:image/png");
    }, `${idEntry} .doc-scans img.thumb`);
    assert.equal(await page.isEnabled("#allow"), true);
    assert.equal(await page.isHidden("#consent-problems"), true);
    await screenshot(page, "consent-passport");

    await page.click("#allow");
    const { jwe, decrypted } = await result();
    assert.equal(jwe.split(".").length, 5, "a compact JWE");
    assert.ok(!jwe.includes(idCardNo));
    assert.match(decrypted, new RegExp(`"document_no": "${idCardNo}"`));
    assert.ok(!decrypted.includes(passportNo), "the passport was not shared");
    assert.match(decrypted, /"first_name": "Ada"/);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("img.scan-preview");
      return !!img && img.complete && img.naturalWidth === 200 && img.alt === "identity_card front_side";
    });
    await screenshot(page, "playground-result");
    // The relying party's calls came from this page, not from the server.
    for (const call of ["POST /playground/clients", "POST /token", "GET /me"]) assert.ok(browserCalls.includes(call), `${call} in ${browserCalls.join(", ")}`);
    assert.ok(browserCalls.some((c) => c.startsWith("GET /passport/files/")), "the scan was downloaded by the page");
    assertNoProblems();
  });

  it("offers to add a missing address, comes back to the same request, survives a refused try and shares it", async () => {
    await signInWithPassport(["passport:address"]);
    await consentReady();
    const consentUrl = page.url();
    assert.equal(await page.isDisabled("#allow"), true, "nothing to share yet");
    assert.match(await text("#consent-problems"), /Address: there is nothing in your vault to share yet/);
    await page.click("#consent a.consent-add:text-is('Add your address')");

    await page.waitForURL((u) => u.pathname === "/vault/address");
    await page.waitForSelector("#doc-form:not([hidden])");
    assert.equal(await text("main a[href^='/interaction/']:not(.button)"), "← Back to the request");
    await page.fill("input[name=street_line1]", "12 St James's Square");
    await page.fill("input[name=city]", "London");
    await page.fill("input[name=post_code]", "SW1Y 4LB");
    await page.fill("input[name=country_code]", "GB");
    await page.click("#doc-form button[type=submit]");
    await page.waitForURL(consentUrl);
    await page.waitForSelector("#consent[data-ready]");
    assert.match(await text("#consent .consent-entry[data-key=address]"), /Street, line 1\s*12 St James's Square/);
    assert.equal(await page.isHidden("#consent-problems"), true);

    // The first try is refused: the page says why, and Allow works again.
    await page.route("**/interaction/*/share", (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ detail: "Passport is busy, try again." }) }), { times: 1 });
    await page.click("#allow");
    await page.waitForSelector("#consent-error:not([hidden])");
    assert.equal(await text("#consent-error"), "Nothing was shared: Passport is busy, try again.");
    const refused = problems.splice(0);
    assert.ok(refused.length > 0 && refused.every((p) => p.includes("503")), refused.join("\n"));
    assert.equal(await page.isEnabled("#allow"), true);
    await page.click("#allow");
    const { decrypted } = await result();
    assert.match(decrypted, /"street_line1": "12 St James's Square"/);
    assert.match(decrypted, /"post_code": "SW1Y 4LB"/);
    assertNoProblems();
  });

  it("the vault editor ignores a return address that is not a consent page on this site", async () => {
    for (const bad of ["https://evil.example/interaction/x", "//evil.example/interaction/x", "/interaction/../account"]) {
      await page.goto(`${server.url}/vault/phone_number?return=${encodeURIComponent(bad)}`);
      await page.waitForSelector("#doc-form:not([hidden])");
      assert.equal(await page.locator("main a[href='/vault']").count(), 2, `links stay on the vault for ${bad}`);
    }
    assertNoProblems();
  });

  it("asks for the password when the vault key is gone; a required selfie the chosen document lacks keeps Allow off", async () => {
    await page.evaluate(() => new Promise((resolve) => (indexedDB.deleteDatabase("passport").onsuccess = resolve)));
    await signInWithPassport(["passport:personal_details", "passport:id_document"], "required");
    await page.waitForSelector("#unlock-form:not([hidden])");
    await page.fill("#unlock-form input[name=password]", password);
    await page.click("#unlock-form button[type=submit]");
    await page.waitForSelector("#consent[data-ready]");
    assert.equal(await page.isHidden("#unlock-form"), true);
    // Remembered scopes, but something required is missing: no countdown, the page asks.
    assert.equal(await page.locator("#consent-remembered").count(), 0);
    assert.equal(await page.isChecked("#pick-id_document-identity_card"), true, "the choice made before");
    const idEntry = "#consent .consent-entry[data-key=id_document]";
    assert.match(await text(`${idEntry} .consent-part.absent`), /asks for the selfie with the document, and your identity card has none\. Add it/);
    assert.match(await text("#consent-problems"), /this app requires the selfie with the document; add it to your identity card first/);
    assert.equal(await page.isDisabled("#allow"), true);

    await page.check("#pick-id_document-passport");
    await page.waitForSelector(`${idEntry} .consent-item[data-type=passport]`);
    const selfieBox = `${idEntry} #part-id_document-selfie`;
    assert.deepEqual([await page.isChecked(selfieBox), await page.isDisabled(selfieBox)], [true, true], "a required part stays ticked");
    assert.match(await text(`${idEntry} .consent-part`), /Include the selfie with the document\s*required/);
    assert.match(await text(`${idEntry} .consent-reads`), /document number, expiry date, the front side scan and the selfie with the document\./);
    assert.equal(await page.locator(`${idEntry} .doc-scans li.scan`).count(), 2);
    assert.equal(await page.isHidden("#consent-problems"), true);
    assert.equal(await page.isEnabled("#allow"), true);
    await page.click("#deny");
    await callbackDone();
    assert.match(await text("#playground-error"), /access_denied/);
    assertNoProblems();
  });

  it("a remembered consent continues by itself and seals the same choice again", async () => {
    const visited: string[] = [];
    page.on("framenavigated", (f) => f === page.mainFrame() && visited.push(new URL(f.url()).pathname));
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    const { jwe, decrypted } = await result();
    assert.ok(visited.some((p) => p.startsWith("/interaction/")), "it passed through the consent page, where the browser sealed it");
    assert.equal(jwe.split(".").length, 5);
    assert.match(decrypted, new RegExp(`"document_no": "${idCardNo}"`), "the identity card again, as chosen before");
    assertNoProblems();
  });

  it("a remembered consent can be stopped; the holder then denies", async () => {
    // With the page's clock paused, the countdown waits for the test, not for the wall clock.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    // The vault key gone: the consent page says it is locked (no bare email field), and after the
    // password the countdown is the same as with the key at hand.
    await page.evaluate(() => new Promise((resolve) => (indexedDB.deleteDatabase("passport").onsuccess = resolve)));
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    await page.waitForSelector("#unlock-form:not([hidden])");
    assert.equal(await text("#consent-status"), "Locked: enter your password to open your vault in this browser.");
    assert.equal(await page.isVisible("#unlock-form input[name=email]"), false, "the username field for password managers stays hidden");
    await page.fill("#unlock-form input[name=password]", password);
    await page.click("#unlock-form button[type=submit]");
    await consentReady();
    await page.waitForSelector("#consent-remembered");
    assert.match(await text("#consent-remembered"), /You allowed Passport playground before — sharing your current documents in 5 s…/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "remembered-cancel", "Cancel is one key press away");
    assert.equal(await page.isChecked("#pick-id_document-identity_card"), true, "the earlier choice is preselected");
    await page.click("#remembered-cancel");
    assert.equal(await page.locator("#consent-remembered").count(), 0);
    await page.clock.resume();
    assert.equal(await page.isEnabled("#allow"), true);
    assert.equal(new URL(page.url()).pathname.startsWith("/interaction/"), true, "still on the consent page");
    await page.click("#deny");
    await callbackDone();
    assert.match(await text("#playground-error"), /access_denied/);
    assertNoProblems();
  });

  it("a callback without a matching request in this tab says so, and redeems nothing", async () => {
    const before = browserCalls.length;
    await page.goto(`${server.url}/playground/callback?code=forged&state=unknown`);
    await page.waitForSelector("#playground-result[data-done]");
    assert.match(await text("#playground-error"), /no matching request \(expired or opened twice\)/);
    assert.equal(new URL(page.url()).search, "", "the code is dropped from the address");
    assert.ok(!browserCalls.slice(before).includes("POST /token"), "no code was sent anywhere");
    assertNoProblems();
  });

  it("a refused registration is shown on the form, which can be sent again", async () => {
    // A browser without a client yet (its key pair gone): it must register, and is refused once.
    await page.evaluate(() => new Promise((resolve) => (indexedDB.deleteDatabase("passport-playground").onsuccess = resolve)));
    await page.route("**/playground/clients", (route) => route.fulfill({ status: 429, contentType: "application/json", body: JSON.stringify({ detail: "Too many playground sessions. Try again in 60 minutes." }) }), { times: 1 });
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    await page.waitForSelector("#playground-form #playground-error:not([hidden])");
    assert.equal(await text("#playground-error"), "Too many playground sessions. Try again in 60 minutes.");
    const refused = problems.splice(0);
    assert.ok(refused.length > 0 && refused.every((p) => p.includes("429")), refused.join("\n"));
    assert.equal(await page.isEnabled("#playground-form button.passport-button"), true);
    // Sent again: a new key pair, a new client, so consent is asked again.
    await page.click("#playground-form button.passport-button");
    await consentReady();
    assert.equal(await page.isVisible("#consent-remembered"), false, "a new client is asked afresh");
    await page.check("#pick-id_document-identity_card");
    await page.waitForSelector("#consent .consent-entry[data-key=id_document] .consent-item[data-type=identity_card]");
    await page.click("#allow");
    const { decrypted } = await result();
    assert.match(decrypted, new RegExp(`"document_no": "${idCardNo}"`));
    assertNoProblems();
  });

  it("an expired document is flagged on the consent page and never shared by a remembered consent without a look", async () => {
    await seedIdentityDocument(holder, "driver_license", "DL-EXPIRED-1", cardPng([200, 80, 40]), undefined, "2001-02-03");
    await page.clock.pauseAt(Date.now() + 1000);
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    await consentReady();
    assert.match(await text("#consent-remembered"), /in 5 s…/, "the same countdown with the key at hand");
    assert.equal(await text("label[for=pick-id_document-driver_license] .badge-expired"), "expired");
    assert.equal(await page.locator("label[for=pick-id_document-identity_card] .badge-expired").count(), 0);
    assert.equal(await page.isVisible("#consent-expired"), false, "the identity card chosen before is valid");
    await page.check("#pick-id_document-driver_license");
    assert.equal(await page.locator("#consent-remembered").count(), 0, "a change of mind stops the countdown");
    assert.match(await text("#consent-expired"), /Your driver licence has expired\. You can still share it, but Passport playground may refuse it\./);
    assert.match(await text("#consent .consent-entry[data-key=id_document]"), /It expired on 2001-02-03; the app may refuse it\./);
    await page.clock.resume();
    await page.click("#allow");
    assert.match((await result()).decrypted, /"document_no": "DL-EXPIRED-1"/);

    // Remembered now, but expired: no countdown, the page asks.
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    await consentReady();
    assert.equal(await page.locator("#consent-remembered").count(), 0);
    assert.equal(await page.isVisible("#consent-expired"), true);
    assert.equal(await page.isEnabled("#allow"), true, "the holder may still share it");
    // Back to the identity card, remembered for the steps below.
    await page.check("#pick-id_document-identity_card");
    assert.equal(await page.isVisible("#consent-expired"), false);
    await page.click("#allow");
    assert.match((await result()).decrypted, new RegExp(`"document_no": "${idCardNo}"`));
    assertNoProblems();
  });

  it("fits a 390 px wide screen, from the form to the result", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    // Nothing wider than the screen: the page's width, and the element that would stick out if one did.
    const overflow = () =>
      page.evaluate(() => {
        const wide = [...document.querySelectorAll("body *")].find((el) => el.getBoundingClientRect().right > 390.5);
        return document.documentElement.scrollWidth > 390 ? `${document.documentElement.scrollWidth}px, ${wide?.tagName}#${wide?.id}.${wide?.className}` : "";
      });
    await page.goto(`${server.url}/playground`);
    assert.equal(await overflow(), "", "the form fits");
    await signInWithPassport(["passport:personal_details", "passport:id_document"]);
    const { decrypted } = await result();
    assert.match(decrypted, new RegExp(`"document_no": "${idCardNo}"`));
    await page.waitForSelector("img.scan-preview");
    assert.equal(await overflow(), "", "the result fits");
    await page.setViewportSize({ width: 1200, height: 800 });
    assertNoProblems();
  });

  it("keeps the relying party's private key in the browser, non-extractable; the server has a public client for its public half", async () => {
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open("passport-playground");
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const client = await new Promise<{ clientId: string; privateKey: CryptoKey }>((resolve, reject) => {
        const req = db.transaction("rp").objectStore("rp").get("client");
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      db.close();
      const exported = await crypto.subtle.exportKey("jwk", client.privateKey).then(() => "exported", (e: Error) => e.name);
      return { clientId: client.clientId, extractable: client.privateKey.extractable, algorithm: client.privateKey.algorithm.name, exported };
    });
    assert.deepEqual({ ...stored, clientId: undefined }, { clientId: undefined, extractable: false, algorithm: "ECDH", exported: "InvalidAccessError" });

    const ds = server.app.container.ds;
    const row = await ds.getRepository(ClientEntity).findOneByOrFail({ clientId: stored.clientId });
    const { input, ...kept } = JSON.parse(row.metadata) as { input: { type: string; tokenEndpointAuthMethod: string; jwks: { keys: Record<string, unknown>[] } }; secret?: string | null; secretHash?: string | null };
    assert.deepEqual([input.type, input.tokenEndpointAuthMethod, kept.secret ?? null, kept.secretHash ?? null], ["public", "none", null, null]);
    assert.deepEqual(input.jwks.keys.map((k) => ["d" in k, k.kty, k.crv]), [[false, "EC", "P-256"]]);
    const shares = await ds.getRepository(ShareEntity).findBy({ clientId: stored.clientId });
    assert.ok(shares.length >= 1, "the playground's shares are stored, sealed to that key");
    const kids = (await ds.getRepository(ServerKeyEntity).find()).map((k) => k.kid);
    assert.ok(!kids.some((k) => k.includes("playground")), `no playground key on the server: ${kids.join(", ")}`);
  });

  it("after the playground's shares, no key the server holds opens a payload or a scan, and no canary is on the server", async () => {
    // Controls: the trial finds a key that does open a payload, and a vault key that does open a file.
    const control = await generateKeyPair("ECDH-ES+A256KW", { extractable: true });
    const controlJwe = await new CompactEncrypt(Buffer.from("control")).setProtectedHeader({ alg: "ECDH-ES+A256KW", enc: "A256GCM" }).encrypt(control.publicKey);
    const vaultRaw = crypto.randomBytes(32);
    const vaultKey = await crypto.webcrypto.subtle.importKey("raw", vaultRaw, "AES-GCM", false, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
    const fileId = crypto.randomUUID();
    const sealedControl = await sealFile(vaultKey, fileId, new Uint8Array(Buffer.from("control")));
    const controls = await keysThatOpen(
      [{ name: "control key", jwk: await exportJWK(control.privateKey) }, { name: "control vault key", raw: [new Uint8Array(vaultRaw)] }],
      { jwes: [{ name: "control payload", jwe: controlJwe }], files: [{ name: "control file", id: fileId, wrappedKey: sealedControl.wrappedKey, bytes: sealedControl.bytes }] },
    );
    assert.deepEqual(controls, ["control key opens control payload", "control vault key unwraps control file's key as the vault key"]);

    const held = await serverHeldKeys(server);
    assert.ok(held.some((k) => k.name.startsWith("server_keys:") && k.jwk), "the signing keys were unsealed and tried");
    assert.ok(held.some((k) => k.name.startsWith("cookie key")), "the cookie key was tried");
    const sealed = await sealedOnServer(server);
    assert.ok(sealed.jwes.length >= 1, `the playground's payload is stored (${sealed.jwes.length})`);
    assert.ok(sealed.files.length >= 3, `the scans are stored (${sealed.files.length})`);
    assert.deepEqual(await keysThatOpen(held, sealed), []);

    const haystacks = await serverHaystacks(server);
    assert.ok(haystacks.some((x) => x.name.endsWith("passport.sqlite-wal")), "the database file and its WAL were searched");
    assert.ok(haystacks.some((x) => x.name.startsWith("blobs")), "the blobs were searched");
    assert.ok(canaryHits([{ name: "self-check", data: cardPng([46, 125, 50], 200, 126, CANARY_SCAN) }]).length > 0, "the search finds the canary scan in plain text");
    assert.deepEqual(canaryHits(haystacks), []);
  });
});
