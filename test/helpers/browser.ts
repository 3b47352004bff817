// Drives Debian's Chromium (apt-get install chromium) with playwright-core for the browser tests.
// Playwright's own browser download cannot run here, so the system binary is used. Without it
// the tests skip with a notice, except in CI, where they must always run.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SCREENSHOT_DIR = path.join(ROOT, "docs", "screenshots");

/**
 * The `skip` option for browser tests, computed at load time: a reason when Chromium is missing,
 * false otherwise. In CI a missing Chromium is not a reason: the test file fails right here, at
 * load, before any server is started that a failed before() hook would leave running.
 */
export function browserSkip(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} not found: CI must install Chromium (apt-get install chromium)`);
  const reason = `${CHROMIUM} not found (apt-get install chromium)`;
  console.log(`# browser tests skipped: ${reason}`);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: CI must install Chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    // Every flag keeps Chromium quiet on the network: only the test server on loopback is reached.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Collects what a page should never produce: script errors, console errors (CSP violations and
 * failed loads are reported there) and CSP violation events.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()} at ${page.url()}: ${msg.text()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  // The event fires in the page; forward it to the console, where the listener above picks it up.
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`);
    });
  });
  return problems;
}

/** Writes docs/screenshots/<name>.png, only when SCREENSHOTS=1 (the README's pictures). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== "1") return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * The end of a sign-up in the browser: reads the recovery key the page shows, types its last
 * group back and confirms (the account is not usable before). Returns the key.
 */
export async function confirmRecoveryKeyOnPage(page: Page): Promise<string> {
  await page.waitForSelector("#recovery:not([hidden])");
  const key = (await page.textContent("#recovery-key"))!.trim();
  await page.fill("#recovery-confirm", key.split("-").at(-1)!);
  await page.click("#recovery-continue");
  return key;
}
