// Every page of Passport a person can reach, with who must be signed in to see it and what to wait
// for before it is complete. test/browser/pages.test.ts walks this list at 390 and 1280 px wide
// with the layout checker (test/helpers/layout.ts) and axe-core. A new page gets one line here.
import type { Page } from "playwright-core";

/**
 * Which browser context a page is opened in:
 * - anonymous: nobody signed in;
 * - holder: a holder signed in through the sign-in page, so the vault key is in this browser
 *   (the vault is unlocked), with personal details and a passport (with a scan) in the vault,
 *   one connected app, and a verifier that takes passports; a member of the verifier
 *   `fixtures.verifierSlug`;
 * - holder-locked: the same holder's session without the vault key (another browser, say);
 * - admin: the instance's administrator, signed in;
 * - fresh: a context of its own, closed after the page (for pages that sign someone in).
 */
export type Setup = "anonymous" | "holder" | "holder-locked" | "admin" | "fresh";

/** What the test has made for the pages that need it. */
export interface PageFixtures {
  /** A registered client's id (the admin client page). */
  clientId: string;
  /** A fresh authorization request (its own PKCE, nonce, state) of a plain OpenID client: `openid email`. */
  loginAuthorizeUrl(): Promise<string>;
  /** A fresh authorization request of a Passport client for personal details and an identity document. */
  passportAuthorizeUrl(): Promise<string>;
  /** A verifier the holder is a member of (its keys are made by the first console page). */
  verifierSlug: string;
  /** The console with a fresh submission open (made by another holder, once the verifier has keys). */
  verifierSubmissionPath(): Promise<string>;
  /** The same client asking for verified data (eidas) and "over 18" without documents, which the holder's unverified documents cannot meet. */
  verifiedAuthorizeUrl(): Promise<string>;
}

export interface PageCase {
  name: string;
  setup: Setup;
  /** Where to go: a path on the server, or a full URL the fixtures make (an OIDC flow). */
  path: string | ((f: PageFixtures) => Promise<string>);
  /** A selector that appears once the page's script has done its work. */
  ready?: string;
  /** Steps after the page loaded that bring it to the state under test (the recovery-key step). */
  act?: (page: Page) => Promise<void>;
  /** The HTTP status the page answers with (200 unless said). */
  status?: number;
}

/** The screens every page must fit: a phone (390 px) and a laptop (1280 px). */
export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];

export const PAGES: PageCase[] = [
  { name: "home", setup: "anonymous", path: "/" },
  { name: "home (signed in)", setup: "holder", path: "/" },
  { name: "sign-in", setup: "anonymous", path: "/signin" },
  { name: "sign-up", setup: "anonymous", path: "/signup" },
  {
    name: "sign-up: recovery key",
    setup: "fresh",
    path: "/signup",
    ready: "#recovery:not([hidden])",
    act: async (page) => {
      await page.fill("#signup-form input[name=email]", `pages-${Date.now().toString(36)}@example.test`);
      await page.fill("#signup-form input[name=password]", "a long enough password");
      await page.fill("#signup-form input[name=password2]", "a long enough password");
      await page.click("#signup-form button[type=submit]");
    },
  },
  { name: "recover", setup: "anonymous", path: "/recover" },
  { name: "vault (unlocked)", setup: "holder", path: "/vault", ready: "#vault[data-ready]" },
  { name: "vault (locked)", setup: "holder-locked", path: "/vault", ready: "#unlock-form:not([hidden])" },
  { name: "vault: personal details form", setup: "holder", path: "/vault/personal_details", ready: "#doc-form:not([hidden])" },
  { name: "vault: passport form", setup: "holder", path: "/vault/passport", ready: "#doc-form:not([hidden])" },
  // The item page's "Get verified" panel, open, with a verifier to choose and the personal details offered.
  { name: "vault: passport, get verified", setup: "holder", path: "/vault/passport", act: (page) => page.click("#verify-start"), ready: "#verify-form:not([hidden])" },
  { name: "vault: address form", setup: "holder", path: "/vault/address", ready: "#doc-form:not([hidden])" },
  { name: "account", setup: "holder", path: "/account" },
  { name: "recovery key: make a new one", setup: "holder", path: "/recovery-key" },
  { name: "connected apps", setup: "holder", path: "/connected" },
  { name: "consent: sign in to continue", setup: "anonymous", path: (f) => f.loginAuthorizeUrl(), ready: "#signin-form" },
  { name: "consent: OpenID scopes", setup: "holder", path: (f) => f.loginAuthorizeUrl(), ready: "ul.scopes" },
  { name: "consent: Passport documents", setup: "holder", path: (f) => f.passportAuthorizeUrl(), ready: "#consent[data-ready]" },
  { name: "consent: verified data the holder does not have", setup: "holder", path: (f) => f.verifiedAuthorizeUrl(), ready: "#consent[data-ready]" },
  { name: "consent: Passport, vault locked", setup: "holder-locked", path: (f) => f.passportAuthorizeUrl(), ready: "#unlock-form:not([hidden])" },
  { name: "playground", setup: "holder", path: "/playground" },
  { name: "verifier consoles", setup: "holder", path: "/verifier" },
  { name: "verifier console", setup: "holder", path: async (f) => `/verifier/${f.verifierSlug}`, ready: "#console[data-ready]" },
  { name: "verifier console: a submission", setup: "holder", path: (f) => f.verifierSubmissionPath(), ready: "#submission[data-ready] figure[data-opened]" },
  { name: "developer console", setup: "holder", path: "/developers" },
  { name: "admin: clients", setup: "admin", path: "/admin" },
  { name: "admin: new client", setup: "admin", path: "/admin/clients/new" },
  { name: "admin: client", setup: "admin", path: async (f) => `/admin/clients/${f.clientId}` },
  { name: "admin: edit client", setup: "admin", path: async (f) => `/admin/clients/${f.clientId}/edit` },
  { name: "admin: rotate secret", setup: "admin", path: async (f) => `/admin/clients/${f.clientId}/rotate-secret` },
  { name: "admin: delete client", setup: "admin", path: async (f) => `/admin/clients/${f.clientId}/delete` },
  { name: "admin: approvals", setup: "admin", path: "/admin/approvals" },
  { name: "admin: registration tokens", setup: "admin", path: "/admin/registration-tokens" },
  // A verifier named example-kyc (with the holder as member) is made by test/browser/pages.test.ts.
  { name: "admin: verifiers", setup: "admin", path: "/admin/verifiers" },
  { name: "admin: new verifier", setup: "admin", path: "/admin/verifiers/new" },
  { name: "admin: verifier", setup: "admin", path: "/admin/verifiers/example-kyc" },
  { name: "admin: edit verifier", setup: "admin", path: "/admin/verifiers/example-kyc/edit" },
  { name: "error: no such client", setup: "admin", path: "/admin/clients/no-such-client", status: 404 },
  { name: "error: no such page", setup: "anonymous", path: "/no-such-page", status: 404 },
  { name: "error: authorization request refused", setup: "anonymous", path: "/auth?client_id=no-such-client&response_type=code&scope=openid", status: 400 },
  { name: "error: forbidden", setup: "holder", path: "/admin", status: 403 },
  { name: "sign out?", setup: "holder", path: "/session/end", ready: "button:has-text('Yes, sign me out')" },
  { name: "signed out", setup: "fresh", path: "/session/end", ready: "h1:has-text('Signed out')" },
  { name: "integration guide", setup: "anonymous", path: "/docs/integrate" },
  { name: "API docs", setup: "anonymous", path: "/docs/api/" },
];
