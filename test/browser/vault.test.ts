// The vault in a real browser: sign up, add personal details (typed into the form) and a passport
// with a front-side scan, see its thumbnail, reload, sign in from a fresh browser context and find
// everything decrypted; a bad field, a file that only pretends to be a PNG and a stale edit from a
// second tab each get their message; email verification, delete, downloads and both exports.
// Any console error or CSP violation fails the step it happened in. SCREENSHOTS=1 also writes
// docs/screenshots/vault.png.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { unzipSync } from "fflate";
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, confirmRecoveryKeyOnPage, launchBrowser, screenshot, watchProblems } from "../helpers/browser.js";
import { hitsOf, serverHaystacks } from "../helpers/canary.js";

const skip = browserSkip();
const MAX_FILE_BYTES = 100_000;

/** A real PNG (RGB, 8 bit) drawn pixel by pixel: a pale page with a photo box and text lines. */
function documentPng(width = 240, height = 160): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const photo = x > 14 && x < 80 && y > 30 && y < 120;
      const line = x > 96 && x < 220 && y > 36 && y < 110 && y % 14 < 4;
      const band = y < 20;
      const rgb = band ? [31, 94, 255] : photo ? [120, 140, 170] : line ? [70, 76, 90] : [236, 240, 248];
      rows.set(rgb, y * (width * 3 + 1) + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

async function downloaded(d: Download): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of await d.createReadStream()) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe("the vault in Chromium", { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const email = uniqueEmail("vault-browser");
  const password = "vault browser password";
  const scan = documentPng();
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1"), crypto.randomBytes(64)]);
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
  const documentNo = `P${crypto.randomBytes(4).toString("hex").toUpperCase()}`;
  /** The encrypted backup exported below, read back by the restore tests. */
  let backupText = "";

  before(async () => {
    // A small per-file limit, so the test can show a file refused for its size.
    [server, browser] = await Promise.all([startServer("sqlite", { VAULT_MAX_FILE_BYTES: String(MAX_FILE_BYTES) }), launchBrowser()]);
    // A British browser: its date picker shows DD/MM/YYYY, and so must the page's dates and messages.
    context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: "en-GB" });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  function assertNoProblems(list = problems): void {
    assert.deepEqual(list.splice(0), []);
  }

  /** A 409 is the expected answer to a stale write; Chromium reports it as a failed load. */
  function expectConflictReports(list = problems): void {
    const seen = list.splice(0);
    assert.ok(seen.length > 0, "the stale write was answered with 409");
    seen.forEach((p) => assert.match(p, /409/));
  }

  async function openVault(p: Page = page): Promise<void> {
    await p.waitForURL((u) => u.pathname === "/vault");
    await p.waitForSelector("#vault[data-ready]");
  }

  async function openEditor(p: Page, type: string): Promise<void> {
    await p.goto(`${server.url}/vault/${type}`);
    await p.waitForSelector("#doc-form:not([hidden])");
  }

  const cardText = (p: Page, type: string) => p.textContent(`#doc-${type}`).then((t) => t ?? "");

  /** True once the image has loaded and decoded into real pixels. */
  const thumbnailRenders = (p: Page, selector: string) =>
    p.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(sel);
      return !!img && img.complete && img.naturalWidth > 0 && img.src.startsWith("data:image/jpeg");
    }, selector);

  it("signs up and lands on the empty vault", async () => {
    await page.goto(`${server.url}/signup`);
    await page.fill("#signup-form input[name=email]", email);
    await page.fill("#signup-form input[name=password]", password);
    await page.fill("#signup-form input[name=password2]", password);
    await page.click("#signup-form button[type=submit]");
    await confirmRecoveryKeyOnPage(page);
    await openVault();
    const states = await page.$$eval("article.vault-doc", (cards) => cards.map((c) => (c as HTMLElement).dataset.state));
    assert.equal(states.length, 13);
    assert.deepEqual(new Set(states), new Set(["empty"]));
    assert.equal(await page.locator("section.vault-group h2").allTextContents().then((h) => h.join("|")), "Personal details|Identity documents|Address|Proofs of address|Contacts");
    assertNoProblems();
  });

  it("adds personal details typed into the form; a bad date or country is flagged beside the field, in the picker's format", async () => {
    await page.click("#doc-personal_details .doc-add");
    await page.waitForSelector("#doc-form:not([hidden])");
    await page.fill("input[name=first_name]", "Ada");
    await page.fill("input[name=last_name]", "Lovelace");
    // Half a date in the picker (the day only): the message gives an example as the picker shows dates.
    await page.focus("input[name=birth_date]");
    await page.keyboard.type("10");
    await page.selectOption("select[name=gender]", "female");
    // Countries are picked by name: the list holds names, a name cut short or misspelt is an error.
    assert.ok((await page.$$eval("#countries option", (o) => o.map((x) => (x as HTMLOptionElement).value))).includes("Germany"));
    await page.fill("input[name=country_code]", "Ge");
    await page.fill("input[name=residence_country_code]", "Germny");
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#error-birth_date:not([hidden])");
    assert.equal(await page.textContent("#error-birth_date"), "is not a complete date: enter day, month and year, e.g. 31/12/1990.");
    assert.equal(await page.textContent("#error-country_code"), "“Ge” is not a country we know: type its name and pick it from the list.");
    assert.match((await page.textContent("#error-residence_country_code"))!, /“Germny” is not a country we know/);
    assert.equal(await page.isHidden("#error-first_name"), true, "only the bad fields are marked");

    await page.fill("input[name=birth_date]", "2999-12-10");
    await page.fill("input[name=country_code]", "Germany");
    await page.fill("input[name=residence_country_code]", "united kingdom");
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#error-birth_date:not([hidden])");
    assert.equal(await page.textContent("#error-birth_date"), "must be a date in the past");
    assert.equal(await page.getAttribute("input[name=birth_date]", "aria-invalid"), "true");
    assert.equal(await page.isHidden("#error-country_code"), true, "Germany is a country");
    assert.equal(new URL(page.url()).pathname, "/vault/personal_details", "nothing was saved");

    await page.fill("input[name=birth_date]", "1990-12-10");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    const card = await cardText(page, "personal_details");
    assert.match(card, /Ada Lovelace/);
    assert.match(card, /Born\s*10\/12\/1990/, "the date as the en-GB picker shows it");
    assert.match(card, /Citizenship\s*Germany/);
    assert.match(card, /Residence\s*United Kingdom/);
    // The codes themselves are checked in the decrypted export below.
    assert.match(card, /unverified/);
    assertNoProblems();
  });

  it("refuses a text file named .png, then adds a passport with a PNG front side and shows its thumbnail", async () => {
    await openEditor(page, "passport");
    const front = ".scan-slot[data-field=front_side] input[type=file]";
    await page.setInputFiles(front, { name: "notes.png", mimeType: "image/png", buffer: Buffer.from("these are not the pixels you are looking for\n") });
    await page.waitForSelector("#error-front_side:not([hidden])");
    assert.equal(await page.textContent("#error-front_side"), "“notes.png” is not a JPEG, PNG, PDF or HEIC file. It was not added: choose another file, or save without it.");
    assert.equal(await page.locator(".scan-slot[data-field=front_side] li.scan").count(), 0);
    // Save is refused while a refused file stands: it would save the passport without it, silently.
    await page.fill("input[name=document_no]", documentNo);
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#form-error:not([hidden])");
    assert.equal(await page.textContent("#form-error"), "A file was not added: choose another one, or save without it.");
    assert.match((await page.textContent("#error-front_side"))!, /“notes\.png” is not a JPEG/);
    assert.equal(new URL(page.url()).pathname, "/vault/passport", "nothing was saved");
    assert.equal(await page.isVisible(".scan-slot[data-field=front_side] .scan-dismiss"), true);
    // "Save without it" takes the refusal back; choosing a good file does too.
    await page.click(".scan-slot[data-field=front_side] .scan-dismiss");
    assert.equal(await page.isHidden("#error-front_side"), true);
    assert.equal(await page.isHidden(".scan-slot[data-field=front_side] .scan-dismiss"), true);
    await page.setInputFiles(front, { name: "notes.png", mimeType: "image/png", buffer: Buffer.from("still not pixels\n") });
    await page.waitForSelector("#error-front_side:not([hidden])");

    await page.setInputFiles(front, { name: "passport-front.png", mimeType: "image/png", buffer: scan });
    await thumbnailRenders(page, ".scan-slot[data-field=front_side] img.thumb");
    assert.equal(await page.isHidden("#error-front_side"), true, "the earlier refusal is gone");
    await page.fill("input[name=document_no]", documentNo);
    await page.fill("input[name=expiry_date]", "2031-01-31");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    assert.match(await cardText(page, "passport"), new RegExp(`Number\\s*${documentNo}`));
    assert.deepEqual([await page.isHidden("#doc-passport .doc-add"), await page.isVisible("#doc-passport .doc-edit")], [true, true]);
    assert.deepEqual([await page.isVisible("#doc-driver_license .doc-add"), await page.isHidden("#doc-driver_license .doc-delete")], [true, true]);
    await thumbnailRenders(page, "#doc-passport img.thumb");
    // The usage bar counts the sealed scan and its sealed thumbnail.
    assert.ok(Number(await page.getAttribute("#usage-meter", "value")) > scan.length);
    assertNoProblems();
  });

  it("after a reload shows the decrypted data and downloads the scan decrypted under its name", async () => {
    await page.reload();
    await page.waitForSelector("#vault[data-ready]");
    assert.match(await cardText(page, "passport"), new RegExp(documentNo));
    assert.match(await cardText(page, "personal_details"), /Ada Lovelace/);
    await thumbnailRenders(page, "#doc-passport img.thumb");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#doc-passport .scan-download")]);
    assert.equal(download.suggestedFilename(), "passport-front.png");
    assert.ok((await downloaded(download)).equals(scan), "the very bytes that were chosen");
    assertNoProblems();
  });

  it("shows a relying party's report on the card and beside the field; saving the document clears it", async () => {
    const { container } = server.app;
    const account = (await container.accounts.getByEmail(email))!;
    const message = "The number does not match the scan.";
    await container.vault.reportErrors(account.id, "passport", 1, [{ source: "Example Bookshop", kind: "data", field: "document_no", message, reportedAt: Date.now() }]);
    await page.reload();
    await page.waitForSelector("#vault[data-ready]");
    assert.equal(await page.textContent("#doc-passport .doc-errors"), `Example Bookshop about document no: ${message}`);

    await page.click("#doc-passport .doc-edit");
    await page.waitForSelector("#doc-form:not([hidden])");
    assert.equal(await page.textContent("#error-document_no"), `Example Bookshop: ${message}`);
    assert.equal(await page.inputValue("input[name=document_no]"), documentNo, "the form opens filled");
    await thumbnailRenders(page, ".scan-slot[data-field=front_side] img.thumb");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    assert.equal(await page.isHidden("#doc-passport .doc-errors"), true, "a change clears the report");
    assert.match(await cardText(page, "passport"), new RegExp(documentNo));
    assertNoProblems();
  });

  it("signs in from a new browser context: everything decrypts there", async () => {
    const other = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const p = await other.newPage();
    p.setDefaultTimeout(10_000);
    const otherProblems = watchProblems(p);
    await p.goto(`${server.url}/signin?next=/vault`);
    await p.fill("#signin-form input[name=email]", email);
    await p.fill("#signin-form input[name=password]", password);
    await p.click("#signin-form button[type=submit]");
    await openVault(p);
    assert.match(await cardText(p, "passport"), new RegExp(`Number\\s*${documentNo}`));
    assert.match(await cardText(p, "personal_details"), /Ada Lovelace/);
    await thumbnailRenders(p, "#doc-passport img.thumb");
    assertNoProblems(otherProblems);
    await other.close();
  });

  it("asks for the password when this browser lost the vault key, then decrypts", async () => {
    await page.evaluate(() => new Promise((resolve) => (indexedDB.deleteDatabase("passport").onsuccess = resolve)));
    await page.reload();
    await page.waitForSelector("#unlock-form:not([hidden])");
    // Every card says why it waits, not "Loading…".
    const statuses = await page.$$eval("article.vault-doc", (cards) => cards.map((c) => [(c as HTMLElement).dataset.state, c.querySelector(".doc-status")!.textContent]));
    assert.equal(statuses.length, 13);
    assert.deepEqual(new Set(statuses.map((s) => s.join(": "))), new Set(["locked: Locked: enter your password"]));
    await page.fill("#unlock-form input[name=password]", "not my password at all");
    await page.click("#unlock-form button[type=submit]");
    await page.waitForSelector("#unlock-form .error:not([hidden])");
    assert.match((await page.textContent("#unlock-form .error"))!, /wrong password/i);
    await page.fill("#unlock-form input[name=password]", password);
    await page.click("#unlock-form button[type=submit]");
    await page.waitForSelector("#vault[data-ready]");
    assert.equal(await page.isHidden("#unlock-form"), true);
    assert.match(await cardText(page, "passport"), new RegExp(documentNo));
    assertNoProblems();
  });

  it("a stale edit from a second tab shows the conflict and keeps what was typed", async () => {
    const tab2 = await context.newPage();
    tab2.setDefaultTimeout(10_000);
    const tab2Problems = watchProblems(tab2);
    await openEditor(page, "personal_details");
    await openEditor(tab2, "personal_details");
    assert.equal(await page.inputValue("input[name=first_name]"), "Ada", "the form opens filled");

    await tab2.fill("input[name=middle_name]", "King");
    await tab2.click("#doc-form button[type=submit]");
    await openVault(tab2);
    assert.match(await cardText(tab2, "personal_details"), /Ada King Lovelace/);
    assertNoProblems(tab2Problems);
    await tab2.close();

    await page.fill("input[name=last_name]", "Byron");
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#form-error:not([hidden])");
    assert.match((await page.textContent("#form-error"))!, /changed elsewhere.*version 2.*your changes were not saved/i);
    assert.equal(await page.inputValue("input[name=last_name]"), "Byron", "the holder's input stays");
    assert.equal(new URL(page.url()).pathname, "/vault/personal_details");
    expectConflictReports();

    await page.goto(`${server.url}/vault`);
    await page.waitForSelector("#vault[data-ready]");
    assert.match(await cardText(page, "personal_details"), /Ada King Lovelace/, "the other tab's save stands");
    assertNoProblems();
  });

  it("verifies the email with a mailed code; a phone number stays unverified and is deleted after confirming", async () => {
    const address = "ada.lovelace@example.org";
    await openEditor(page, "email");
    await page.fill("#doc-form input[name=email]", address);
    await page.click("#send-code");
    await page.waitForSelector("#code-step:not([hidden])");
    const outbox = path.join(server.dataDir, "outbox");
    const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8")).find((m) => m.includes(`To: ${address}`));
    const code = /Your Passport code: (\d{6})/.exec(mail ?? "")?.[1];
    assert.ok(code, "the code is in the outbox");
    await page.fill("input[name=code]", code);
    await page.click("#verify-code");
    await openVault();
    assert.equal(await page.textContent("#doc-email .doc-badge"), "verified");
    assert.match(await cardText(page, "email"), new RegExp(address.replace(/[.]/g, "\\.")));

    await openEditor(page, "phone_number");
    await page.fill("input[name=phone_number]", "06 1234 5678");
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#error-phone_number:not([hidden])");
    assert.equal(await page.textContent("#error-phone_number"), "must start with + and the country code, e.g. +31 6 1234 5678");
    await page.fill("input[name=phone_number]", "+31 6 123");
    await page.click("#doc-form button[type=submit]");
    await page.waitForFunction(() => /not a valid phone number/.test(document.querySelector("#error-phone_number")?.textContent ?? ""));
    // Spaces as people write numbers: accepted, stored in E.164.
    await page.fill("input[name=phone_number]", "+31 6 1234 5678");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    assert.match(await cardText(page, "phone_number"), /Number\s*\+31612345678/);
    assert.equal(await page.textContent("#doc-phone_number .doc-badge"), "unverified (no SMS verification yet)");
    assert.equal(await page.isHidden("#doc-phone_number .doc-confirm"), true);
    await page.click("#doc-phone_number .doc-delete");
    assert.equal(await page.isVisible("#doc-phone_number .doc-confirm"), true, "deleting asks first");
    await page.click("#doc-phone_number .doc-confirm-no");
    assert.equal(await page.getAttribute("#doc-phone_number", "data-state"), "filled", "cancel keeps it");
    await page.click("#doc-phone_number .doc-delete");
    await page.click("#doc-phone_number .doc-confirm-yes");
    await page.waitForSelector("#doc-phone_number[data-state=empty]");
    assertNoProblems();
  });

  it("keeps a PDF proof of address (and a HEIC page) with file icons; refuses a file over the size limit before uploading", async () => {
    await openEditor(page, "utility_bill");
    const files = ".scan-slot[data-field=files] input[type=file]";
    const huge = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(MAX_FILE_BYTES)]);
    await page.setInputFiles(files, { name: "huge-bill.pdf", mimeType: "application/pdf", buffer: huge });
    await page.waitForSelector("#error-files:not([hidden])");
    assert.match((await page.textContent("#error-files"))!, /“huge-bill\.pdf” is too large .* per file at most/);
    await page.setInputFiles(files, { name: "bill.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.waitForSelector(".scan-slot[data-field=files] li.scan .scan-icon");
    assert.equal(await page.isHidden("#error-files"), true);
    // HEIC is recognised by its brand; Chromium cannot draw it, so it too gets an icon.
    await page.setInputFiles(".scan-slot[data-field=translation] input[type=file]", { name: "page.heic", mimeType: "", buffer: heic });
    await page.waitForSelector(".scan-slot[data-field=translation] li.scan .scan-icon");
    assert.equal(await page.textContent(".scan-slot[data-field=translation] .scan-icon"), "HEIC");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    assert.equal(await page.textContent("#doc-utility_bill .doc-scans .scan-icon"), "PDF");
    assert.equal(await page.locator("#doc-utility_bill img").count(), 0, "no thumbnail for a PDF");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#doc-utility_bill .scan-download")]);
    assert.equal(download.suggestedFilename(), "bill.pdf");
    assert.ok((await downloaded(download)).equals(pdf));
    assertNoProblems();
  });

  it("exports a decrypted archive and an encrypted backup", async () => {
    const [zip] = await Promise.all([page.waitForEvent("download"), page.click("#export-zip")]);
    assert.match(zip.suggestedFilename(), /^passport-vault-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = unzipSync(new Uint8Array(await downloaded(zip)));
    const passport = JSON.parse(new TextDecoder().decode(files["passport/passport.json"]));
    assert.equal(passport.data.document_no, documentNo);
    assert.ok(Buffer.from(files["passport/front-side-passport-front.png"]!).equals(scan), "the scan, decrypted");
    const details = JSON.parse(new TextDecoder().decode(files["personal_details/personal_details.json"])).data;
    assert.deepEqual([details.last_name, details.birth_date, details.country_code, details.residence_country_code], ["Lovelace", "1990-12-10", "DE", "GB"], "names picked, codes stored");
    assert.ok(Buffer.from(files["utility_bill/file-1-bill.pdf"]!).equals(pdf));

    const [backupDl] = await Promise.all([page.waitForEvent("download"), page.click("#export-backup")]);
    const text = (await downloaded(backupDl)).toString("utf8");
    backupText = text;
    const backup = JSON.parse(text);
    assert.equal(backup.format, "passport-backup/v1");
    assert.equal(backup.email, email);
    assert.ok(backup.kdf && backup.wrappedVaultKey);
    assert.deepEqual(backup.items.map((i: { type: string }) => i.type).sort(), ["email", "passport", "personal_details", "utility_bill"]);
    assert.equal(backup.files.length, 4, "the passport scan, its thumbnail, the bill, its translation");
    for (const f of backup.files) assert.equal(crypto.createHash("sha256").update(Buffer.from(f.data, "base64url")).digest("hex"), f.sha256);
    assert.ok(!text.includes(documentNo) && !text.includes("Lovelace"), "nothing decrypted in the backup");
    assertNoProblems();
  });

  /** Picks the backup file on the vault page and waits for the list of what it holds. */
  async function pickBackup(): Promise<void> {
    await page.setInputFiles("#restore-file", { name: "passport-backup.json", mimeType: "application/json", buffer: Buffer.from(backupText) });
    await page.waitForSelector("#restore-plan:not([hidden])");
  }

  async function restoreAndWait(expected: RegExp): Promise<void> {
    await page.click("#restore-go");
    await page.waitForFunction(() => document.querySelector("#restore-status")?.className !== "muted");
    assert.match((await page.textContent("#restore-status"))!, expected);
    await page.waitForSelector("#vault[data-ready]");
  }

  it("restores the encrypted backup into an emptied vault: documents and scans are back, still only ciphertext on the server", async () => {
    for (const type of ["passport", "personal_details", "utility_bill", "email"]) {
      await page.click(`#doc-${type} .doc-delete`);
      await page.click(`#doc-${type} .doc-confirm-yes`);
      await page.waitForSelector(`#doc-${type}[data-state=empty]`);
    }
    await pickBackup();
    const rows = await page.$$eval("#restore-plan [data-type]", (els) => els.map((e) => `${(e as HTMLElement).dataset.type}:${(e as HTMLElement).dataset.state}`));
    assert.deepEqual(rows.sort(), ["email:new", "passport:new", "personal_details:new", "utility_bill:new"]);
    await restoreAndWait(/^Restored 4 documents and 4 scan files\.$/);
    assert.match(await cardText(page, "passport"), new RegExp(documentNo));
    assert.match(await cardText(page, "personal_details"), /Ada King Lovelace/);
    assert.equal(await page.textContent("#doc-email .doc-badge"), "verified", "the email's attestation came back with it");
    await thumbnailRenders(page, "#doc-passport img.thumb");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#doc-utility_bill .scan-download")]);
    assert.ok((await downloaded(download)).equals(pdf), "the PDF, decrypted from its new upload");
    // The restore sent only what it sealed again in this browser.
    const leaks = hitsOf(await serverHaystacks(server), [Buffer.from(documentNo), Buffer.from("Lovelace"), pdf.subarray(0, 24), scan.subarray(scan.length - 80)]);
    assert.deepEqual(leaks, []);
    assertNoProblems();
  });

  it("merges a backup into a vault that changed: one choice per conflict", async () => {
    const newNumber = `N${crypto.randomBytes(4).toString("hex").toUpperCase()}`;
    await openEditor(page, "passport");
    await page.fill("input[name=document_no]", newNumber);
    await page.click("#doc-form button[type=submit]");
    await openVault();
    await openEditor(page, "personal_details");
    await page.fill("input[name=first_name]", "Augusta");
    await page.fill("input[name=middle_name]", "");
    await page.click("#doc-form button[type=submit]");
    await openVault();

    await pickBackup();
    const rows = await page.$$eval("#restore-plan [data-type]", (els) => els.map((e) => `${(e as HTMLElement).dataset.type}:${(e as HTMLElement).dataset.state}`));
    assert.deepEqual(rows.sort(), ["email:same", "passport:conflict", "personal_details:conflict", "utility_bill:same"]);
    assert.equal(await page.isChecked("#restore-passport-mine"), true, "keeping one's own is the default");
    await page.check("#restore-passport-backup");
    await page.check("#restore-personal_details-both");
    await restoreAndWait(/^Restored 2 documents and 2 scan files\.$/);
    assert.match(await cardText(page, "passport"), new RegExp(documentNo), "the backup's passport");
    assert.doesNotMatch(await cardText(page, "passport"), new RegExp(newNumber));
    assert.match(await cardText(page, "personal_details"), /Augusta King Lovelace/, "mine, completed with the backup's middle name");
    await thumbnailRenders(page, "#doc-passport img.thumb");
    assertNoProblems();
  });

  it("marks an expired document: a warning at save, a badge on the card", async () => {
    await openEditor(page, "identity_card");
    await page.fill("input[name=document_no]", "ID-OLD-1");
    await page.fill("input[name=expiry_date]", "2001-02-03");
    await page.click("#doc-form button[type=submit]");
    await page.waitForSelector("#expiry-warning:not([hidden])");
    assert.match((await page.textContent("#expiry-warning"))!, /expired on 2001-02-03/);
    assert.equal(await page.textContent("#doc-form button[type=submit]"), "Save anyway");
    assert.equal(new URL(page.url()).pathname, "/vault/identity_card", "not saved yet");
    await page.click("#doc-form button[type=submit]");
    await openVault();
    assert.equal(await page.textContent("#doc-identity_card .badge-expired"), "expired");
    assert.equal(await page.locator("#doc-passport .badge-expired").count(), 0, "a valid passport has none");
    assertNoProblems();
  });

  it("looks right (screenshot for the README)", async () => {
    await page.goto(`${server.url}/vault`);
    await page.waitForSelector("#vault[data-ready]");
    await thumbnailRenders(page, "#doc-passport img.thumb");
    await screenshot(page, "vault");
    assertNoProblems();
  });
});
