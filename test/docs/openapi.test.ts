// The OpenAPI description (/docs/api/openapi.json) against the code: every JSON route our routers
// register is described (and nothing else), the document is valid OpenAPI 3.1, the page renders,
// and a real answer of every operation, a success and an error, validates against it on both
// databases. Every request made through an Agent here is checked (Agent.prototype.request is
// wrapped), so the shared helpers' calls count too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createAccountMaterial, derivePasswordKeys, deriveRecoveryKeys, generateRecoveryKey, wrapVaultKey, openVaultWithRecoveryKey, passwordMaterial, sealFile, sealItem } from "../../src/crypto/index.js";
import type { OpenApiDocument } from "../../src/docs-api/document.js";
import { routers } from "../../src/routes/index.js";
import { Views } from "../../src/routes/views.js";
import { Agent } from "../helpers/agent.js";
import { SoftAuthenticator } from "../helpers/passkey.js";
import { uniqueEmail } from "../helpers/accounts.js";
import { databases, pgNotice, startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument } from "../sharing/documents.js";
import { registerPassportRp, sharePassport } from "../sharing/flow.js";
import { ResponseChecker, templateRegExp } from "./openapi-check.js";
import { revokeInStatusListToken } from "../../src/credentials/index.js";
import { approve, keyedHolder, keyedVerifier, passportItem, submit } from "../verifiers/helpers.js";

pgNotice();

/**
 * Which of our routes are JSON API (and must be described): everything under /api/ and /passport/
 * (relying parties), the developer console's /developers/api/, the playground's client
 * registration and the consent page's two calls. The rest are HTML pages and form posts;
 * oidc-provider's endpoints are not on our routers (discovery describes them), and
 * /docs/api/openapi.json is the description itself.
 */
const JSON_API = [/^\/api\//, /^\/passport\//, /^\/developers\/api\//, /^\/playground\/clients$/, /^\/interaction\/\{[^}]+\}\/(passport|share)$/];
export const isJsonApi = (template: string) => JSON_API.some((re) => re.test(template));

/** Every (method, path) our routers register, paths in OpenAPI form (`/x/{id}`). */
function registeredRoutes(s: TestServer): { method: string; path: string }[] {
  const views = new Views({ issuer: s.cfg.issuer, productName: "Passport" });
  const all = routers({ cfg: s.cfg, container: s.app.container, host: s.app.host, views, log: s.app.log });
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of all) {
    for (const layer of r.stack as unknown as { path: string | RegExp; methods: string[] }[]) {
      if (typeof layer.path !== "string" || !layer.methods.length) continue; // r.use() middleware
      const template = (layer.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/(.)\/$/, "$1")) || "/";
      for (const method of layer.methods.filter((m) => m !== "HEAD")) {
        const key = `${method} ${template}`;
        if (!seen.has(key)) out.push({ method, path: template });
        seen.add(key);
      }
    }
  }
  return out;
}

const describedKeys = (doc: OpenApiDocument) =>
  Object.entries(doc.paths ?? {}).flatMap(([p, item]) => ["get", "put", "post", "delete", "patch"].filter((m) => (item as Record<string, unknown>)[m]).map((m) => `${m.toUpperCase()} ${p}`));

async function fetchDoc(s: TestServer): Promise<OpenApiDocument> {
  const res = await fetch(`${s.url}/docs/api/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return (await res.json()) as OpenApiDocument;
}

describe("OpenAPI description: the document", () => {
  let s: TestServer;
  let doc: OpenApiDocument;
  before(async () => {
    s = await startServer("sqlite", { PLAYGROUND: "true" });
    doc = await fetchDoc(s);
  });
  after(() => s.close());

  it("is a valid OpenAPI 3.1 document", async () => {
    assert.equal(doc.openapi, "3.1.0");
    const validator = new Validator();
    const res = await validator.validate(doc as never);
    assert.ok(res.valid, JSON.stringify(res.errors, null, 1)?.slice(0, 2000));
    assert.equal(doc.servers?.[0]?.url, s.url);
  });

  it("describes every JSON route our routers register, and only those", () => {
    const routes = registeredRoutes(s);
    assert.ok(routes.length > 20, "the walk found our routes");
    const described = new Set(describedKeys(doc));
    const missing = routes.filter((r) => isJsonApi(r.path) && !described.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      missing,
      [],
      `JSON routes missing from the OpenAPI description: ${missing.join(", ")}. Describe each in the *.openapi.ts beside its router ` +
        "(summary, the zod schemas it parses with, a response per status: see src/routes/vault-api.openapi.ts) and list that file in src/docs-api/operations.ts.",
    );
    const registered = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const stale = [...described].filter((k) => !registered.has(k));
    assert.deepEqual(stale, [], `described but not registered (renamed or removed?): ${stale.join(", ")}`);
    const notJson = [...described].filter((k) => !isJsonApi(k.split(" ")[1]!));
    assert.deepEqual(notJson, [], `described routes outside the JSON API rule of this test: ${notJson.join(", ")}`);
  });

  it("every operation has a summary and every response a description", () => {
    for (const [p, item] of Object.entries(doc.paths ?? {})) {
      for (const [m, op] of Object.entries(item as Record<string, any>)) {
        assert.ok(op.summary, `${m} ${p} has no summary`);
        assert.ok(Object.keys(op.responses ?? {}).length, `${m} ${p} has no responses`);
        for (const [status, r] of Object.entries(op.responses as Record<string, any>)) assert.ok(r.description, `${m} ${p} ${status} has no description`);
      }
    }
  });

  it("the page at /docs/api shows every operation, with no outside script", async () => {
    const res = await fetch(`${s.url}/docs/api`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await res.text();
    for (const key of describedKeys(doc)) assert.ok(html.includes(`<code>${key}</code>`), `the page lists ${key}`);
    assert.doesNotMatch(html, /<script[^>]+src="(https?:)?\/\//, "no script from elsewhere");
    assert.match(html, /href="\/docs\/api\/openapi\.json"/);
  });

  it("the integration guide and the README link to it", () => {
    const root = path.join(import.meta.dirname, "..", "..");
    assert.match(fs.readFileSync(path.join(root, "docs", "integrate.md"), "utf8"), /\/docs\/api/);
    assert.match(fs.readFileSync(path.join(root, "README.md"), "utf8"), /\/docs\/api/);
  });
});

for (const db of databases()) {
  describe(`OpenAPI description: real answers validate against it (${db})`, () => {
    let s: TestServer;
    let checker: ResponseChecker;
    const original = Agent.prototype.request;

    before(async () => {
      s = await startServer(db, { PLAYGROUND: "true", EMAIL_CODE_SENDS_PER_IP_PER_HOUR: "10000" });
      checker = new ResponseChecker(await fetchDoc(s));
      // Every answer to an Agent in this suite is checked against the description.
      Agent.prototype.request = async function (this: Agent, method, url, opts) {
        const res = await original.call(this, method, url, opts);
        checker.check(method, new URL(url, this.base).toString(), res);
        return res;
      };
    });
    after(async () => {
      Agent.prototype.request = original;
      await s.close();
    });

    const csrfAgent = async () => {
      const a = new Agent(s.url);
      await a.get("/signin");
      return a;
    };

    it("the account API", async () => {
      const a = await csrfAgent();
      const email = uniqueEmail("openapi");
      const password = "a long enough password";
      assert.equal((await a.get("/api/kdf-defaults")).status, 200);
      assert.equal((await a.request("POST", "/api/prelogin", { json: { email: "not an email" } })).status, 400);
      const m = await createAccountMaterial(password, TEST_KDF_ITERATIONS);
      assert.equal((await a.request("POST", "/api/signup", { json: { email, ...m.body } })).status, 201);
      assert.equal((await (await csrfAgent()).request("POST", "/api/signup", { json: { email, ...m.body } })).status, 409);

      const b = await csrfAgent();
      const pre = await b.request("POST", "/api/prelogin", { json: { email } });
      assert.equal(pre.status, 200);
      const { authKey } = await derivePasswordKeys(password, pre.json().kdf);
      const { authKey: wrong } = await derivePasswordKeys("not the password", pre.json().kdf);
      assert.equal((await b.request("POST", "/api/session", { json: { email, authKey: wrong } })).status, 401);
      assert.equal((await b.request("POST", "/api/session", { json: { email, authKey } })).status, 200);
      assert.equal((await b.get("/api/account")).status, 200);
      assert.equal((await (await csrfAgent()).get("/api/account")).status, 401);

      // A new recovery key waits for confirmation, which swaps it in.
      const fresh = generateRecoveryKey();
      const fk = await deriveRecoveryKeys(fresh);
      const newKey = { currentAuthKey: authKey, recoveryAuthKey: fk.authKey, recoveryWrappedVaultKey: await wrapVaultKey(m.vaultKey, fk.kek, "recovery") };
      assert.equal((await b.request("POST", "/api/account/recovery-key", { json: { currentAuthKey: authKey } })).status, 400);
      assert.equal((await b.request("POST", "/api/account/recovery-key", { json: newKey })).status, 204);
      assert.equal((await b.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: "x" } })).status, 400);
      assert.equal((await b.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: fk.authKey } })).status, 204);
      m.recoveryKey = fresh;

      // A costlier derivation, then a new password, both proving the current one.
      const up = await passwordMaterial(password, TEST_KDF_ITERATIONS * 2, m.vaultKey);
      assert.equal((await b.request("POST", "/api/account/kdf", { json: { currentAuthKey: authKey, ...up } })).status, 204);
      assert.equal((await b.request("POST", "/api/account/kdf", { json: {} })).status, 400);
      const km = (await b.get("/api/account")).json();
      const { authKey: current } = await derivePasswordKeys(password, km.kdf);
      const next = await passwordMaterial("the new password 123", TEST_KDF_ITERATIONS, m.vaultKey);
      assert.equal((await b.request("POST", "/api/account/password", { json: { currentAuthKey: wrong, ...next } })).status, 400);
      assert.equal((await b.request("POST", "/api/account/password", { json: { currentAuthKey: current, ...next } })).status, 204);

      const r = await csrfAgent();
      const { authKey: recoveryAuthKey } = await deriveRecoveryKeys(m.recoveryKey);
      const other = await createAccountMaterial("whatever password", TEST_KDF_ITERATIONS);
      assert.equal((await r.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey: other.body.recoveryAuthKey } })).status, 401);
      const start = await r.request("POST", "/api/recovery/start", { json: { email, recoveryAuthKey } });
      assert.equal(start.status, 200);
      const opened = await openVaultWithRecoveryKey(m.recoveryKey, start.json().recoveryWrappedVaultKey);
      const recovered = await passwordMaterial("recovered password!", TEST_KDF_ITERATIONS, opened);
      assert.equal((await r.request("POST", "/api/recovery/finish", { json: { email } })).status, 400);
      assert.equal((await r.request("POST", "/api/recovery/finish", { json: { email, recoveryAuthKey, ...recovered } })).status, 204);

      assert.equal((await r.request("POST", "/api/signout", { headers: { "x-csrf-token": "forged" } })).status, 403);
      assert.equal((await r.request("POST", "/api/signout", { headers: { "x-csrf-token": r.csrf } })).status, 204);

      const d = await csrfAgent();
      const dm = await createAccountMaterial(password, TEST_KDF_ITERATIONS);
      assert.equal((await d.request("POST", "/api/signup", { json: { email: uniqueEmail("delete"), ...dm.body } })).status, 201);
      assert.equal((await d.request("POST", "/api/account/delete", { json: { authKey: "short" } })).status, 400);
      assert.equal((await d.request("POST", "/api/account/delete", { json: { authKey: dm.body.authKey } })).status, 204);
    });

    it("the account console: email change and passkeys, with the passkey step of sign-in", async () => {
      const h = await signUpHolder(s.url);
      const a = h.agent;
      const to = uniqueEmail("openapi-moved");
      assert.equal((await a.request("POST", "/api/account/email/code", { json: { email: "nope" } })).status, 400);
      assert.equal((await a.request("POST", "/api/account/email/code", { json: { email: to } })).status, 204);
      const outbox = path.join(s.dataDir, "outbox");
      const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8")).find((t) => t.includes(`To: ${to}`));
      const code = /Your Passport code: (\d{6})/.exec(mail ?? "")![1]!;
      const { authKey: currentAuthKey } = await derivePasswordKeys(h.password, (await a.get("/api/account")).json().kdf);
      assert.equal((await a.request("POST", "/api/account/email", { json: { email: to, code: "12", currentAuthKey } })).status, 400);
      assert.equal((await a.request("POST", "/api/account/email", { json: { email: to, code, currentAuthKey } })).status, 200);

      const key = new SoftAuthenticator(s.url);
      assert.equal((await (await csrfAgent()).request("POST", "/api/account/passkeys/options", { json: {} })).status, 401);
      const options = await a.request("POST", "/api/account/passkeys/options", { json: {} });
      assert.equal(options.status, 200);
      assert.equal((await a.request("POST", "/api/account/passkeys", { json: { name: "", response: key.create(options.json()) } })).status, 400);
      const again = await a.request("POST", "/api/account/passkeys/options", { json: {} });
      assert.equal((await a.request("POST", "/api/account/passkeys", { json: { name: "Laptop", response: key.create(again.json()) } })).status, 201);

      const b = await csrfAgent();
      const pre = await b.request("POST", "/api/prelogin", { json: { email: to } });
      const { authKey } = await derivePasswordKeys(h.password, pre.json().kdf);
      const challenge = await b.request("POST", "/api/session", { json: { email: to, authKey } });
      assert.equal(challenge.json().secondFactor, "passkey");
      assert.equal((await b.request("POST", "/api/session/passkey", { json: { response: key.get(challenge.json().options) } })).status, 200);
      assert.equal((await b.request("POST", "/api/session/passkey", { json: { response: {} } })).status, 400);
    });

    it("the vault API", async () => {
      const h = await signUpHolder(s.url);
      const a = h.agent;
      assert.equal((await a.get("/api/vault")).status, 200);
      assert.equal((await new Agent(s.url).get("/api/vault")).status, 401);

      const upload = async (id: string) => {
        const sealed = await sealFile(h.vaultKey, id, crypto.randomBytes(2000));
        return a.request("POST", `/api/vault/files?id=${id}`, { raw: sealed.bytes, headers: { "x-wrapped-key": sealed.wrappedKey } });
      };
      const kept = crypto.randomUUID();
      const loose = crypto.randomUUID();
      assert.equal((await upload(kept)).status, 201);
      assert.equal((await upload(loose)).status, 201);
      assert.equal((await upload(kept)).status, 409);
      assert.equal((await a.get(`/api/vault/files/${kept}`)).status, 200);
      assert.equal((await a.get(`/api/vault/files/${crypto.randomUUID()}`)).status, 404);

      const id = crypto.randomUUID();
      const item = await sealItem(h.vaultKey, { id, type: "personal_details", version: 1 }, { first_name: "Ada" });
      const put = (version: number, type = "personal_details") => a.request("PUT", `/api/vault/items/${type}`, { json: { id, version, ...item, fileIds: [kept] } });
      assert.equal((await put(0)).status, 200);
      assert.equal((await put(0)).status, 409);
      assert.equal((await put(0, "no_such_type")).status, 404);

      const del = (url: string) => a.request("DELETE", url, { headers: { "x-csrf-token": a.csrf } });
      assert.equal((await del(`/api/vault/files/${kept}`)).status, 409);
      assert.equal((await del(`/api/vault/files/${loose}`)).status, 204);
      assert.equal((await del("/api/vault/items/personal_details?version=x")).status, 400);
      assert.equal((await del("/api/vault/items/personal_details?version=1")).status, 204);

      const address = uniqueEmail("verify");
      assert.equal((await a.request("POST", "/api/vault/email/send", { json: { email: "nope" } })).status, 400);
      assert.equal((await a.request("POST", "/api/vault/email/send", { json: { email: address } })).status, 202);
      const outbox = path.join(s.dataDir, "outbox");
      const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8")).find((t) => t.includes(`To: ${address}`));
      const code = /Your Passport code: (\d{6})/.exec(mail ?? "")?.[1];
      assert.ok(code, "the code was mailed to the outbox");
      assert.equal((await a.request("POST", "/api/vault/email/verify", { json: { email: address, code: code === "000000" ? "111111" : "000000" } })).status, 400);
      assert.equal((await a.request("POST", "/api/vault/email/verify", { json: { email: address, code } })).status, 200);
    });

    it("the playground's client registration", async () => {
      const a = new Agent(s.url);
      await a.get("/playground");
      const { publicKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), ext: true, key_ops: [] };
      assert.equal((await a.request("POST", "/playground/clients", { json: { jwk } })).status, 201);
      assert.equal((await a.request("POST", "/playground/clients", { json: { jwk: { ...jwk, crv: "P-384" } } })).status, 400);
    });

    it("a Passport share: the consent calls, shared files, error reports and connected apps", async () => {
      const h: VaultHolder = await signUpHolder(s.url);
      await storeDocument(h, "passport");
      const rp = await registerPassportRp(s, { name: "OpenAPI RP" });
      // The consent page's GET /interaction/{uid}/passport and POST .../share go through h.agent.
      const shared = await sharePassport(s, rp, h, "openid passport:passport");
      const front = shared.payload.data.passport!.files.find((f) => f.role === "front_side")!;
      const relyingParty = new Agent(s.url);
      const bearer = { authorization: `Bearer ${shared.tokens.access_token}` };
      assert.equal((await relyingParty.request("GET", `/passport/files/${front.id}`, { headers: bearer })).status, 200);
      assert.equal((await relyingParty.request("GET", `/passport/files/${front.id}`)).status, 401);
      assert.equal((await relyingParty.request("GET", `/passport/files/${crypto.randomUUID()}`, { headers: bearer })).status, 404);
      // The consent calls answer errors too (as JSON, the page's script asks for it): a uid that is no interaction.
      const accept = { accept: "application/json" };
      assert.equal((await h.agent.request("GET", "/interaction/no-such-uid/passport", { headers: accept })).status, 400);
      assert.equal((await h.agent.request("POST", "/interaction/no-such-uid/share", { json: { jwe: "x".repeat(20), types: [] }, headers: accept })).status, 400);

      const basic = `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret!)}`).toString("base64")}`;
      const version = shared.payload.data.passport!.version;
      const report = { access_token: shared.tokens.access_token, errors: [{ type: "passport", version, kind: "unspecified", message: "Please check your passport." }] };
      assert.equal((await relyingParty.request("POST", "/passport/errors", { json: report })).status, 401);
      assert.equal((await relyingParty.request("POST", "/passport/errors", { json: { ...report, errors: [] }, headers: { authorization: basic } })).status, 400);
      assert.equal((await relyingParty.request("POST", "/passport/errors", { json: report, headers: { authorization: basic } })).status, 200);

      assert.equal((await h.agent.get("/api/connected")).status, 200);
      assert.equal((await new Agent(s.url).get("/api/connected")).status, 401);
      assert.equal((await h.agent.request("POST", "/api/connected/no-such-client/revoke", { headers: { "x-csrf-token": h.agent.csrf } })).status, 404);
      assert.equal((await h.agent.request("POST", `/api/connected/${encodeURIComponent(rp.clientId)}/revoke`, { headers: { "x-csrf-token": h.agent.csrf } })).status, 200);
      assert.equal((await relyingParty.request("GET", `/passport/files/${front.id}`, { headers: bearer })).status, 401, "revoked");
    });

    it("the verifier API: holder keys, submissions, credentials and the console calls", async () => {
      const v = await keyedVerifier(s);
      const anon = await csrfAgent();
      const h = await keyedHolder(s);
      assert.equal((await h.agent.get("/api/vault/holder-keys")).status, 200);
      assert.equal((await anon.get("/api/vault/holder-keys")).status, 401);
      assert.equal((await h.agent.request("PUT", "/api/vault/holder-keys", { json: { signingJwk: h.keys.signingJwk, encryptionJwk: h.keys.encryptionJwk, wrapped: "x".repeat(40) } })).status, 409);
      assert.equal((await anon.get("/api/verifiers")).status, 200);
      const p = await passportItem(h);
      const first = await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId]);
      assert.equal(first.status, 201);
      assert.equal((await submit(h, v, [{ itemId: p.itemId, version: p.version }])).status, 409);
      assert.equal((await h.agent.get("/api/vault/submissions")).status, 200);
      assert.equal((await anon.get("/api/vault/submissions")).status, 401);
      const id = first.json().submission.id;
      assert.equal((await h.agent.request("POST", `/api/vault/submissions/${id}/withdraw`, { json: {} })).status, 204);
      assert.equal((await h.agent.request("POST", `/api/vault/submissions/${id}/withdraw`, { json: {} })).status, 409);
      const sid = (await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId])).json().submission.id;
      const base = `/api/verifiers/${v.slug}`;
      const m = v.member.agent;
      assert.equal((await m.get(`${base}/console`)).status, 200);
      assert.equal((await h.agent.get(`${base}/console`)).status, 403);
      assert.equal((await m.get(`${base}/submissions?state=submitted`)).status, 200);
      assert.equal((await h.agent.get(`${base}/submissions`)).status, 403);
      assert.equal((await m.get(`${base}/submissions/${sid}`)).status, 200);
      assert.equal((await m.get(`${base}/submissions/${crypto.randomUUID()}`)).status, 404);
      assert.equal((await m.get(`${base}/submissions/${sid}/files/${p.fileId}`)).status, 200);
      assert.equal((await m.get(`${base}/submissions/${sid}/files/${crypto.randomUUID()}`)).status, 404);
      assert.equal((await h.agent.request("POST", `${base}/submissions/${sid}/reserve`, { json: {} })).status, 403);
      assert.equal((await approve(v, sid)).status, 204);
      assert.equal((await approve(v, sid)).status, 409);
      assert.equal((await h.agent.get("/api/vault/credentials")).status, 200);
      assert.equal((await anon.get("/api/vault/credentials")).status, 401);
      const h2 = await keyedHolder(s);
      const p2 = await passportItem(h2);
      const rid = (await submit(h2, v, [{ itemId: p2.itemId, version: p2.version }])).json().submission.id;
      assert.equal((await m.request("POST", `${base}/submissions/${rid}/reject`, { json: { reasons: [] } })).status, 400);
      assert.equal((await m.request("POST", `${base}/submissions/${rid}/reject`, { json: { reasons: [{ itemType: "passport", kind: "data", field: "document_no", message: "unreadable" }] } })).status, 204);
      const status = await m.get(`${base}/status/${v.listId}`);
      assert.equal(status.status, 200);
      assert.equal((await h.agent.get(`${base}/status/${v.listId}`)).status, 403);
      const cred = (await h.agent.get("/api/vault/credentials")).json().credentials[0];
      const idx = (await m.get(`${base}/submissions/${sid}`)).json().credentials[0].statusIndex;
      const token = await revokeInStatusListToken(status.json().token, idx, v.keys.signingKey, v.keys.publicJwks.signing.kid!);
      assert.equal((await m.request("POST", `${base}/credentials/${cred.id}/revoke`, { json: { token, version: status.json().version } })).status, 204);
      assert.equal((await m.request("POST", `${base}/credentials/${cred.id}/revoke`, { json: { token, version: status.json().version + 1 } })).status, 409);
      const con = (await m.get(`${base}/console`)).json();
      assert.equal((await m.request("POST", `${base}/keys`, { json: { signingJwk: con.verifier.signingJwk, encryptionJwk: con.verifier.encryptionJwk, sealedKeys: con.sealedKeys, statusListToken: token } })).status, 409);
      const other = await keyedHolder(s);
      await s.app.container.verifiers.addMember(v.slug, other.email);
      assert.equal((await m.request("POST", `${base}/members/${other.id}/keys`, { json: { sealedKeys: con.sealedKeys } })).status, 204);
      assert.equal((await m.request("POST", `${base}/members/${other.id}/keys`, { json: { sealedKeys: con.sealedKeys } })).status, 409);
    });

    it("every described operation was seen answering a success and an error", () => {
      const missing = checker.unexercised();
      assert.deepEqual(missing, [], `drive a request for each in test/docs/openapi.test.ts: ${missing.join("; ")}`);
      assert.ok(templateRegExp("/api/vault/files/{id}").test("/api/vault/files/abc"));
    });
  });
}
