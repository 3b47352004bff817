// The holder's pages in a real browser: sign-up with the recovery key, sign-in, password change,
// recovery, the vault key kept in IndexedDB, and "Sign in with Passport" through consent to a
// relying party that redeems the code with openid-client. Any console error or CSP violation
// fails the step it happened in. SCREENSHOTS=1 also writes the README's pictures.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as oidc from "openid-client";
import type { Browser, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.js";
import { createHolder, uniqueEmail } from "../helpers/accounts.js";
import { browserSkip, launchBrowser, screenshot, watchProblems } from "../helpers/browser.js";

const skip = browserSkip();

/** A relying party's callback: answers a plain page and remembers what arrived. */
async function startRelyingParty(): Promise<{ redirectUri: string; postLogoutUri: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Relying party</title><p>Back at the relying party.</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/cb`,
    postLogoutUri: `http://127.0.0.1:${port}/logged-out`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What IndexedDB holds for the vault key in this page's origin. */
function readVaultKey(page: Page): Promise<{ present: boolean; isCryptoKey?: boolean; extractable?: boolean; algorithm?: string; usages?: string[] }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("passport");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("keys")) return resolve({ present: false });
          const get = db.transaction("keys", "readonly").objectStore("keys").get("vault");
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            const key = get.result as CryptoKey | undefined;
            db.close();
            if (!key) return resolve({ present: false });
            resolve({
              present: true,
              isCryptoKey: key instanceof CryptoKey,
              extractable: key.extractable,
              algorithm: (key.algorithm as AesKeyAlgorithm).name,
              usages: [...key.usages],
            });
          };
        };
      }),
  );
}

describe("holder pages in Chromium", { skip }, () => {
  let server: TestServer;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const email = uniqueEmail("browser");
  const passwords = ["first password 1", "second password 2", "third password 3"];
  let recoveryKey = "";
  // Filled by the relying-party sign-in, used by its logout.
  let rpConfig: oidc.Configuration;
  let idToken = "";

  before(async () => {
    // The browser first: if it cannot start, nothing else is left open to keep the process alive.
    browser = await launchBrowser();
    server = await startServer("sqlite");
    rp = await startRelyingParty();
    // The first account becomes the administrator; the holder in the browser is an ordinary one.
    await createHolder(server.app.container, { admin: true });
    const context = await browser.newContext({ viewport: { width: 1200, height: 640 } });
    page = await context.newPage();
    // Fail fast instead of waiting half a minute for an element that will not come.
    page.setDefaultTimeout(10_000);
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  /** Every step ends with a clean console. */
  function assertNoProblems(): void {
    assert.deepEqual(problems.splice(0), []);
  }

  /** A refused sign-in is answered 401, which Chromium reports; that, and only that, is expected. */
  function takeRefusedSignIn(): void {
    const seen = problems.splice(0);
    assert.ok(seen.some((p) => p.includes("HTTP 401 for POST") && p.endsWith("/api/session")), seen.join("\n"));
    for (const p of seen) assert.match(p, /401/);
  }

  async function signIn(password: string): Promise<void> {
    await page.fill("#signin-form input[name=email]", email);
    await page.fill("#signin-form input[name=password]", password);
    await page.click("#signin-form button[type=submit]");
  }

  /** Signed-in pages name the holder in the header. */
  async function assertSignedIn(): Promise<void> {
    await page.waitForSelector("header .who");
    assert.equal(await page.textContent("header .who"), email);
    // The vault finishes its own requests (holder keys) before a test moves on: signing out
    // under a request still in flight would log its 401 as a console error.
    if (new URL(page.url()).pathname === "/vault") await page.waitForSelector("#vault[data-ready]");
  }

  async function signInFromHome(password: string): Promise<void> {
    await page.goto(`${server.url}/signin`);
    await signIn(password);
    await assertSignedIn();
  }

  async function signOut(): Promise<void> {
    await page.click("header form[action='/signout'] button");
    await page.waitForSelector("a[href='/signup'].button");
  }

  it("signs up, shows the recovery key once, keeps a non-extractable vault key", async () => {
    await page.goto(server.url);
    await screenshot(page, "home");
    await page.click("a.button.primary[href='/signup']");
    await page.fill("#signup-form input[name=email]", email);
    await page.fill("#signup-form input[name=password]", passwords[0]);
    await page.fill("#signup-form input[name=password2]", passwords[0]);
    await page.click("#signup-form button[type=submit]");

    await page.waitForSelector("#recovery:not([hidden])");
    assert.equal(await page.isHidden("#signup-form"), true);
    recoveryKey = (await page.textContent("#recovery-key"))!.trim();
    assert.match(recoveryKey, /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    await screenshot(page, "signup-recovery-key");
    // The account is usable only once the holder types the key's last group back.
    await page.fill("#recovery-confirm", "ZZZZ");
    await page.click("#recovery-continue");
    await page.waitForSelector("#recovery-confirm-form .error:not([hidden])");
    assert.equal(new URL(page.url()).pathname, "/signup");
    await page.fill("#recovery-confirm", ` ${recoveryKey.split("-").at(-1)!.toLowerCase()} `);
    await page.click("#recovery-continue");

    await assertSignedIn();
    assert.deepEqual(await readVaultKey(page), {
      present: true,
      isCryptoKey: true,
      extractable: false,
      algorithm: "AES-GCM",
      usages: ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
    });
    assertNoProblems();
  });

  it("signs out and forgets the vault key", async () => {
    await signOut();
    assert.deepEqual(await readVaultKey(page), { present: false });
    // The recovery key is never shown again: the sign-up page starts with an empty form.
    await page.goto(`${server.url}/signup`);
    assert.equal(await page.isHidden("#recovery"), true);
    assertNoProblems();
  });

  it("shows the error on the form for a wrong password", async () => {
    await page.goto(`${server.url}/signin`);
    await signIn("not the password at all");
    await page.waitForSelector("#form-error:not([hidden])");
    assert.match((await page.textContent("#form-error"))!, /password/i);
    assert.equal(new URL(page.url()).pathname, "/signin");
    assert.equal(await page.isEnabled("#signin-form button[type=submit]"), true, "the form is usable again");
    takeRefusedSignIn();
    assertNoProblems();
  });

  it("signs in, changes the password, signs in with the new one", async () => {
    await signInFromHome(passwords[0]);
    assert.equal((await readVaultKey(page)).extractable, false);
    await page.click("header a[href='/account']");
    assert.equal(await page.textContent("#account-email"), email);
    await screenshot(page, "account");
    await page.fill("#password-form input[name=current]", passwords[0]);
    await page.fill("#password-form input[name=password]", passwords[1]);
    await page.fill("#password-form input[name=password2]", passwords[1]);
    await page.click("#password-form button[type=submit]");
    await page.waitForSelector("#password-form .ok:not([hidden])");
    assert.match((await page.textContent("#password-form .ok"))!, /password was changed/);

    await signOut();
    await signInFromHome(passwords[1]);
    assert.equal((await readVaultKey(page)).present, true);
    await signOut();
    assertNoProblems();
  });

  it("signs in to a relying party: interaction, consent, code, ID token", async () => {
    const { client, secret } = await server.app.container.clients.create({
      name: "Example Bookshop",
      redirectUris: [rp.redirectUri],
      postLogoutRedirectUris: [rp.postLogoutUri],
      type: "confidential",
      tokenEndpointAuthMethod: "client_secret_basic",
      scopes: ["openid", "email"],
    });
    const config = await oidc.discovery(new URL(server.url), client.clientId, secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri,
      scope: "openid email",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      nonce,
      state,
    });

    await page.goto(authUrl.toString());
    await page.waitForSelector("#signin-form");
    assert.match((await page.textContent("h1"))!, /Example Bookshop/);
    await signIn(passwords[1]);

    await page.waitForSelector("ul.scopes");
    assert.match((await page.textContent("h1"))!, /Example Bookshop.*wants to access your Passport/);
    assert.equal(await page.textContent("li[data-scope=openid]"), "Know who you are (a private identifier for this service)");
    assert.equal(await page.textContent("li[data-scope=email]"), "See your email address");
    await screenshot(page, "consent");
    await page.click("button.primary:has-text('Allow')");

    await page.waitForURL((u) => u.toString().startsWith(rp.redirectUri));
    const callback = new URL(page.url());
    assert.equal(callback.searchParams.get("state"), state);
    assert.ok(callback.searchParams.get("code"), "a code arrives");

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.iss, server.cfg.issuer);
    assert.equal(claims.aud, client.clientId);
    assert.equal(claims.nonce, nonce);
    assert.ok(claims.sub);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(userinfo.email, email);
    rpConfig = config;
    idToken = tokens.id_token!;
    assertNoProblems();
  });

  it("logs out from the relying party: 'No' keeps Passport signed in, 'Yes' signs out and forgets the key", async () => {
    const logoutUrl = () =>
      oidc.buildEndSessionUrl(rpConfig, { id_token_hint: idToken, post_logout_redirect_uri: rp.postLogoutUri, state: "bye" }).toString();

    await page.goto(logoutUrl());
    assert.match((await page.textContent("main"))!, /Example Bookshop asks to sign you out of Passport/);
    await page.click("button:has-text('No, stay signed in')");
    await page.waitForURL((u) => u.toString().startsWith(rp.postLogoutUri));
    assert.equal(new URL(page.url()).searchParams.get("state"), "bye");
    await page.goto(server.url);
    await assertSignedIn();
    assert.equal((await readVaultKey(page)).present, true);

    await page.goto(logoutUrl());
    await page.click("button:has-text('Yes, sign me out')");
    await page.waitForURL((u) => u.toString().startsWith(rp.postLogoutUri));
    await page.goto(server.url);
    await page.waitForSelector("a[href='/signup'].button");
    assert.deepEqual(await readVaultKey(page), { present: false });
    assertNoProblems();
  });

  it("resets the password with the recovery key, then signs in with the new password", async () => {
    await page.goto(server.url);
    await page.click("header a[href='/signin']");
    await page.click("a[href='/recover']");
    await page.fill("#recover-form input[name=email]", email);
    await page.fill("#recover-form input[name=recoveryKey]", recoveryKey.toLowerCase());
    await page.fill("#recover-form input[name=password]", passwords[2]);
    await page.fill("#recover-form input[name=password2]", passwords[2]);
    await page.click("#recover-form button[type=submit]");
    await assertSignedIn();
    // Recovery ends signed in, with the vault key at hand like any sign-in.
    assert.equal((await readVaultKey(page)).extractable, false);

    await signOut();
    await page.goto(`${server.url}/signin`);
    await signIn(passwords[1]);
    await page.waitForSelector("#form-error:not([hidden])");
    takeRefusedSignIn();
    await signInFromHome(passwords[2]);
    assertNoProblems();
  });

  it("a logout request without a provider session signs out of Passport and forgets the key", async () => {
    // Signed in on Passport's own page, so oidc-provider has no session to confirm: it posts
    // the logout form by itself (an inline script its CSP hash allows) and shows "Signed out".
    assert.equal((await readVaultKey(page)).present, true);
    await page.goto(`${server.url}/session/end`);
    await page.waitForSelector("h1:has-text('Signed out')");
    await page.waitForLoadState("load");
    assert.deepEqual(await readVaultKey(page), { present: false });
    await page.goto(server.url);
    await page.waitForSelector("a[href='/signup'].button");
    assertNoProblems();
  });
});
