// Registering a relying party on the admin page: the secret is shown once, and every refused
// input comes back as a 400 form with the message beside its field and the typed values kept.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Agent } from "../helpers/agent.js";
import { databases, startServer, type TestServer } from "../helpers/server.js";
import { SCOPES } from "../../src/oidc/claims.js";
import { clientCredentials, clientForm, esc, fieldError, registerClient, rsaEncryptionJwks, signedIn, textOf, postAndFollow } from "./admin-helpers.js";

for (const db of databases()) {
  describe(`admin: register a client (${db})`, () => {
    let s: TestServer;
    let agent: Agent;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
      ({ agent } = await signedIn(s, true));
    });
    after(() => s.close());

    const count = async () => (await s.app.container.clients.list()).length;

    /** Posts the form with `over` and checks the refusal: 400, nothing stored, the form shown again. */
    async function refused(over: Record<string, string | string[]>) {
      await agent.get("/admin/clients/new");
      const before = await count();
      const res = await agent.request("POST", "/admin/clients", { form: clientForm(over) });
      assert.equal(res.status, 400, res.text);
      assert.equal(await count(), before, "nothing was registered");
      assert.match(res.text, /id="error-summary"/);
      assert.match(res.text, /<form method="post" action="\/admin\/clients"/);
      return res.text;
    }

    it("offers the provider's scopes, the auth methods and the algorithms", async () => {
      const res = await agent.get("/admin/clients/new");
      assert.equal(res.status, 200);
      for (const scope of SCOPES) assert.match(res.text, new RegExp(`name="scopes" value="${scope}"`));
      for (const m of ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]) assert.match(res.text, new RegExp(`<option value="${m}"`));
      for (const g of ["authorization_code", "refresh_token", "client_credentials"]) assert.match(res.text, new RegExp(`name="grantTypes" value="${g}"`));
      assert.match(res.text, /name="userinfoEncryptedResponseAlg"[^]*<option value="ECDH-ES\+A256KW"/);
      assert.match(res.text, /name="_csrf" value="[^"]+"/);
    });

    it("registers a confidential client and shows its secret once", async () => {
      const { clientId, secret, page } = await registerClient(agent, { name: "Acme <Bank>" });
      assert.match(clientId, /^[\w-]{16,}$/);
      assert.match(secret, /^[\w-]{40,}$/);
      assert.match(page.text, /only time it is shown/);
      assert.ok(page.text.includes(`${s.url}/.well-known/openid-configuration`), "the page gives the discovery URL");
      assert.equal(page.headers.get("cache-control"), "no-store");

      // Reloading the page after the redirect shows it no more and registers nothing new.
      const count = (await s.app.container.clients.list()).length;
      const reload = await agent.get(`/admin/clients/${clientId}/secret`);
      assert.equal(reload.status, 200);
      assert.ok(!reload.text.includes(secret), "a reload does not show the secret again");
      assert.match(reload.text, /shown once/);
      assert.equal((await s.app.container.clients.list()).length, count);

      // The secret is real...
      const token = await clientCredentials(s.url, clientId, secret);
      assert.equal(token.status, 200, JSON.stringify(token.body));
      // ...and never shown again.
      const list = await agent.get("/admin");
      assert.ok(list.text.includes(clientId));
      assert.ok(list.text.includes(esc("Acme <Bank>")), "the name is escaped");
      assert.ok(!list.text.includes(secret), "the list does not show the secret");
      const details = await agent.get(`/admin/clients/${clientId}`);
      assert.equal(details.status, 200);
      assert.ok(!details.text.includes(secret), "the details page does not show the secret");
      assert.match(details.text, /never shown again/);
      const edit = await agent.get(`/admin/clients/${clientId}/edit`);
      assert.ok(!edit.text.includes(secret), "the edit page does not show the secret");

      const stored = await s.app.container.clients.get(clientId);
      assert.deepEqual(stored.input.redirectUris, ["https://rp.example/cb", "https://rp.example/cb2"]);
      assert.deepEqual(stored.input.grantTypes, ["authorization_code", "refresh_token", "client_credentials"]);
      assert.deepEqual(stored.input.scopes, ["openid", "email"]);
      assert.equal(stored.input.subjectType, "pairwise");
    });

    it("registers a public client without a secret, and one with an encryption key", async () => {
      const res = await postAndFollow(agent, "/admin/clients", clientForm({ name: "SPA", type: "public", tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"] }));
      assert.equal(res.status, 200);
      assert.match(res.text, /it has no secret/);
      assert.doesNotMatch(res.text, /id="client-secret"/);
      const id = textOf(res.text, "client-id");
      assert.equal((await s.app.container.clients.get(id)).hasSecret, false);

      const jwks = await rsaEncryptionJwks();
      const enc = await registerClient(agent, { name: "Encrypted", jwks, userinfoEncryptedResponseAlg: "RSA-OAEP-256", userinfoEncryptedResponseEnc: "A256GCM" });
      const input = (await s.app.container.clients.get(enc.clientId)).input;
      assert.equal(input.userinfoEncryptedResponseAlg, "RSA-OAEP-256");
      assert.equal(input.jwks?.keys[0]?.kid, "rp-enc-1");
    });

    it("refuses a redirect URI with a fragment, naming the field and keeping the values", async () => {
      const html = await refused({ name: "Fragment Co", redirectUris: "https://rp.example/ok\nhttps://rp.example/cb#frag", scopes: ["openid", "offline_access"] });
      assert.match(fieldError(html, "redirectUris") ?? "", /^URI 2: "https:\/\/rp\.example\/cb#frag" must not contain a fragment/);
      assert.match(html, /<li>Redirect URIs, URI 2: [^<]*must not contain a fragment/);
      assert.ok(html.includes(">\nhttps://rp.example/ok\nhttps://rp.example/cb#frag</textarea>"), "the textarea keeps what was typed");
      assert.match(html, /id="f-name" name="name" type="text" value="Fragment Co"/);
      assert.match(html, /value="offline_access" checked/);
      assert.doesNotMatch(html, /value="email" checked/);
    });

    it("refuses http outside loopback, naming the field", async () => {
      const html = await refused({ redirectUris: "http://rp.example/cb", postLogoutRedirectUris: "http://evil.example/bye" });
      assert.match(fieldError(html, "redirectUris") ?? "", /"http:\/\/rp\.example\/cb" uses http outside loopback; use https/);
      assert.match(fieldError(html, "postLogoutRedirectUris") ?? "", /"http:\/\/evil\.example\/bye" uses http outside loopback/);
      assert.match(html, /<li>Post-logout redirect URIs, URI 1: /);
      assert.ok(html.includes(">\nhttp://rp.example/cb</textarea>"));
    });

    it("refuses a JWKS that is not valid JSON, naming the field", async () => {
      const html = await refused({ jwks: '{"keys": [', userinfoEncryptedResponseAlg: "RSA-OAEP-256" });
      assert.equal(fieldError(html, "jwks"), "is not valid JSON");
      assert.match(html, /<li>JWKS: is not valid JSON<\/li>/);
      assert.ok(html.includes(`>\n${esc('{"keys": [')}</textarea>`), "the JWKS text is kept");
      assert.match(html, /<option value="RSA-OAEP-256" selected>/);
    });

    it("reports the problems of every field at once, even when the JWKS cannot be read", async () => {
      const html = await refused({ jwks: "nope", redirectUris: "https://rp.example/cb#x", grantTypes: [], userinfoEncryptedResponseAlg: "RSA-OAEP-256" });
      assert.equal(fieldError(html, "jwks"), "is not valid JSON");
      assert.match(fieldError(html, "redirectUris") ?? "", /must not contain a fragment/);
      assert.equal(fieldError(html, "grantTypes"), "choose at least one grant type");
      assert.equal(fieldError(html, "userinfoEncryptedResponseAlg"), null, "no misleading 'needs a key' while the JWKS is unreadable");
    });

    it("refuses a malformed or private JWKS, naming the field", async () => {
      let html = await refused({ jwks: JSON.stringify({ keys: [{ kty: "RSA", e: "AQAB" }] }) });
      assert.match(fieldError(html, "jwks") ?? "", /keys\.0: RSA key lacks "n"/);
      html = await refused({ jwks: JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", d: "secret" }] }) });
      assert.match(fieldError(html, "jwks") ?? "", /private or symmetric key/);
      html = await refused({ jwks: JSON.stringify([1, 2]) });
      assert.match(fieldError(html, "jwks") ?? "", /must be a JSON Web Key Set/);
    });

    it("refuses an encryption algorithm without a key, naming the field", async () => {
      let html = await refused({ userinfoEncryptedResponseAlg: "ECDH-ES+A256KW" });
      assert.match(fieldError(html, "userinfoEncryptedResponseAlg") ?? "", /userinfo encryption algorithm ECDH-ES\+A256KW needs the client's encryption key/);
      assert.match(html, /<li>Userinfo encryption algorithm: /);
      assert.match(html, /<option value="ECDH-ES\+A256KW" selected>/);
      html = await refused({ idTokenEncryptedResponseAlg: "RSA-OAEP-256" });
      assert.match(fieldError(html, "idTokenEncryptedResponseAlg") ?? "", /ID token encryption algorithm RSA-OAEP-256 needs the client's encryption key/);
      // An EC key cannot take an RSA algorithm either.
      const { generateKeyPair, exportJWK } = await import("jose");
      const ec = await exportJWK((await generateKeyPair("ECDH-ES", { extractable: true })).publicKey);
      html = await refused({ jwks: JSON.stringify({ keys: [ec] }), idTokenEncryptedResponseAlg: "RSA-OAEP-256" });
      assert.match(fieldError(html, "idTokenEncryptedResponseAlg") ?? "", /no key in the JWKS can be used with RSA-OAEP-256/);
    });

    it("refuses Passport scopes without an encryption key, saying beside the JWKS what to add", async () => {
      let html = await refused({ scopes: ["openid", "passport:passport"] });
      assert.match(fieldError(html, "jwks") ?? "", /Passport scopes \(passport:passport\) need the client's public encryption key: add an RSA key/);
      assert.match(html, /<li>JWKS: Passport scopes/);
      // Signing keys only: Passport cannot seal to them either.
      const { generateKeyPair, exportJWK } = await import("jose");
      const sig = { ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).publicKey)), use: "sig" };
      html = await refused({ scopes: ["openid", "passport:address"], jwks: JSON.stringify({ keys: [sig] }) });
      assert.match(fieldError(html, "jwks") ?? "", /has none Passport can encrypt to/);
      // With an encryption key it is registered.
      const ok = await agent.request("POST", "/admin/clients", { form: clientForm({ scopes: ["openid", "passport:passport"], jwks: await rsaEncryptionJwks() }) });
      assert.equal(ok.status, 303, ok.text);
    });

    it("refuses other bad combinations with a message beside the field", async () => {
      let html = await refused({ name: "  ", type: "public" });
      assert.equal(fieldError(html, "name"), "name is required");
      assert.match(fieldError(html, "tokenEndpointAuthMethod") ?? "", /public client authenticates with none/);
      html = await refused({ grantTypes: [] });
      assert.equal(fieldError(html, "grantTypes"), "choose at least one grant type");
      html = await refused({ jwksUri: "http://rp.example/jwks.json" });
      assert.match(fieldError(html, "jwksUri") ?? "", /JWKS URI must use https/);
      html = await refused({ redirectUris: "https://a.example/cb\nhttps://b.example/cb" });
      assert.match(fieldError(html, "redirectUris") ?? "", /pairwise subject identifiers all redirect URIs must be on one host/);
      html = await refused({ idTokenSignedResponseAlg: "HS256" });
      assert.match(fieldError(html, "idTokenSignedResponseAlg") ?? "", /must be one of RS256/);
    });
  });
}
