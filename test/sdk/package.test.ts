// The SDK as every Passport server serves it (built by scripts/build-sdk.mjs, so `npm run build`
// first): the npm package at /sdk/passport-sdk.tgz installs with `npm install --offline` (jose comes
// from a tarball packed from our own node_modules, so no registry is asked), its declarations
// type-check, and the installed package opens a real share, run as the client page's openid-client
// quick start; the browser module at /sdk/passport-sdk.js imports as ESM and, in Chromium, from a
// relying party's page on another origin, opens the same kind of payload.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair } from "jose";
import type { Browser } from "playwright-core";
import { ROOT } from "../helpers/cli.js";
import { browserSkip, launchBrowser } from "../helpers/browser.js";
import { CALLBACK, registerRp } from "../helpers/oidc.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { shareFromConsent } from "../helpers/share.js";
import { signUpHolder } from "../helpers/vault.js";
import { storeDocument } from "../sharing/documents.js";
import { DERIVED_SCOPE, PASSPORT_SCOPES } from "../../src/sharing/scopes.js";
import { signedIn } from "../admin/admin-helpers.js";
import { loadSnippet, snippetOf } from "../developers/snippet.js";

pgNotice();
const run = promisify(execFile);
const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };

/** A relying party's project folder with the served SDK installed by npm, offline. */
async function installServedSdk(s: TestServer): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-rp-"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "rp", private: true, type: "module" }));
  const res = await fetch(`${s.url}/sdk/passport-sdk.tgz`);
  assert.equal(res.status, 200, "the tarball is built (npm run build) and served");
  assert.equal(res.headers.get("content-type"), "application/gzip");
  fs.writeFileSync(path.join(dir, "passport-sdk.tgz"), new Uint8Array(await res.arrayBuffer()));
  // jose as a tarball of the copy npm ci installed: its dependency is met without the registry.
  await run("npm", ["pack", path.join(ROOT, "node_modules", "jose"), "--pack-destination", dir, "--offline", "--silent"]);
  const jose = fs.readdirSync(dir).find((f) => /^jose-.*\.tgz$/.test(f))!;
  await run("npm", ["install", "--offline", "--no-package-lock", "--no-audit", "--no-fund", "--ignore-scripts", `./${jose}`, "./passport-sdk.tgz"], { cwd: dir });
  // The quick start imports openid-client too; a project would install it, we link ours.
  fs.symlinkSync(path.join(ROOT, "node_modules", "openid-client"), path.join(dir, "node_modules", "openid-client"), "dir");
  return dir;
}

describe("the SDK package served by the server", () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    s = await startServer("sqlite", { LOG_LEVEL: "warn" });
    dir = await installServedSdk(s);
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await s.close();
  });

  it("is a valid npm package: name, version, ESM, exports, types, jose as its only dependency", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "node_modules/passport-sdk/package.json"), "utf8"));
    assert.equal(pkg.name, "passport-sdk");
    assert.equal(pkg.version, own.version);
    assert.equal(pkg.type, "module");
    assert.deepEqual(pkg.dependencies, { jose: own.dependencies.jose });
    assert.ok(fs.existsSync(path.join(dir, "node_modules/passport-sdk", pkg.exports["."].types)));
    const sdk = await import(pathToFileURL(path.join(dir, "node_modules/passport-sdk", pkg.exports["."].default)).href);
    for (const name of ["openPassport", "downloadScan", "sharedTypes", "PassportError", "verifyCredentials", "issuerMetadataUrl"]) assert.equal(typeof sdk[name], "function", name);
    assert.ok(sdk.DOCUMENT_TYPES.includes("passport"));
    // The declarations are complete: a consumer type-checks against them without skipLibCheck.
    fs.writeFileSync(
      path.join(dir, "consumer.ts"),
      `import { openPassport, PassportError, type PassportPayload } from "passport-sdk";\n` +
        `export async function open(jwe: string, key: CryptoKey): Promise<string | undefined> {\n` +
        `  try { const p: PassportPayload = await openPassport(jwe, key, { issuer: "x", clientId: "y", nonce: "z" }); return p.data.passport?.files[0]?.sha256; }\n` +
        `  catch (e) { if (e instanceof PassportError && e.code === "stale") return undefined; throw e; }\n}\n`,
    );
    const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
    await run(tsc, ["--ignoreConfig", "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2023,dom", "--types", "", "consumer.ts"], { cwd: dir });
  });

  it("answers unknown SDK files with 404 and allows any origin to load the real ones", async () => {
    assert.equal((await fetch(`${s.url}/sdk/other.tgz`)).status, 404);
    assert.equal((await fetch(`${s.url}/sdk/..%2Fpackage.json`)).status, 404);
    const js = await fetch(`${s.url}/sdk/passport-sdk.js`, { headers: { origin: "https://rp.example" } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type")!, /^text\/javascript/);
    assert.equal(js.headers.get("access-control-allow-origin"), "*");
    assert.equal(js.headers.get("cross-origin-resource-policy"), "cross-origin");
  });

  for (const db of databases()) {
    it(`opens a real share with the installed package, run as the client page's quick start (${db})`, async () => {
      const server = db === "sqlite" ? s : await startServer(db, { LOG_LEVEL: "warn" });
      try {
        const h = await signUpHolder(server.url);
        const stored = await storeDocument(h, "passport");
        const { privateKey, publicKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
        const jwk = { ...(await exportJWK(publicKey)), kid: "enc-1", use: "enc" as const, alg: "ECDH-ES+A256KW" };
        // Every document scope (the quick start asks for all of them); passport:derived would need a verified document.
        const rp = await registerRp(server, { scopes: ["openid", "email", ...PASSPORT_SCOPES.filter((sc) => sc !== DERIVED_SCOPE)], jwks: { keys: [jwk] as never } });
        const admin = (await signedIn(server, true)).agent;
        const code = snippetOf((await admin.get(`/admin/clients/${rp.clientId}`)).text, "openid-client");
        assert.ok(code.includes(`import { openPassport } from "passport-sdk"; // npm install ${server.url}/sdk/passport-sdk.tgz`));
        const steps = await loadSnippet(dir, code, { PASSPORT_CLIENT_SECRET: rp.secret!, PASSPORT_ENCRYPTION_JWK: JSON.stringify(await exportJWK(privateKey)) });
        const { url, saved } = await steps.startSignIn();
        const consent = await h.agent.follow(url);
        const shared = await shareFromConsent(h.agent, h.vaultKey, consent.url);
        const callback = await h.agent.follow(shared.redirect);
        assert.equal(new URL(callback.url).origin + new URL(callback.url).pathname, CALLBACK);
        const { passport, claims } = await steps.finishSignIn(callback.url, saved);
        assert.equal(passport.aud, rp.clientId);
        assert.equal(passport.sub, claims.sub);
        assert.equal(passport.data.passport.fields.document_no, stored.data.document_no);
      } finally {
        if (server !== s) await server.close();
      }
    });
  }
});

const skip = browserSkip();

describe("the SDK browser module", { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startServer("sqlite", { LOG_LEVEL: "warn" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it("imports in Chromium from another origin and opens a payload sealed to the page's key", async () => {
    const { sealPayload } = await import("../../src/sharing/payload.js");
    const { privateKey, publicKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
    const iat = Math.floor(Date.now() / 1000);
    const payload = { v: 1, iss: s.url, aud: "rp-1", sub: "holder-1", nonce: "n-1", iat, data: { email: { version: 1, fields: { email: "a@example.test" }, files: [], attestations: [] } } };
    const jwe = await sealPayload(payload as never, { jwk: { ...(await exportJWK(publicKey)), kid: "k" }, alg: "ECDH-ES+A256KW" });
    // A page on another origin (127.0.0.1, not the issuer's localhost), standing in for a relying
    // party's: its own CSP is ignored, as the relying party's page would allow this module.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    const other = new URL(s.url);
    other.hostname = "127.0.0.1";
    await page.goto(`${other.origin}/docs/integrate`);
    const result = await page.evaluate(
      async ({ moduleUrl, jwe, jwk, issuer }) => {
        const sdk = await import(moduleUrl);
        const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
        const p = await sdk.openPassport(jwe, key, { issuer, clientId: "rp-1", nonce: "n-1", sub: "holder-1" });
        const wrong = await sdk.openPassport(jwe, key, { issuer, clientId: "rp-1", nonce: "other" }).catch((e: { code: string }) => e.code);
        return { email: p.data.email.fields.email, wrong, exports: Object.keys(sdk).sort() };
      },
      { moduleUrl: `${s.url}/sdk/passport-sdk.js`, jwe, jwk: await exportJWK(privateKey), issuer: s.url },
    );
    assert.deepEqual(result, { email: "a@example.test", wrong: "wrong_nonce", exports: ["DOCUMENT_TYPES", "PassportError", "downloadScan", "issuerMetadataUrl", "openPassport", "sharedTypes", "verifyCredentials"] });
    await page.context().close();
  });
});
