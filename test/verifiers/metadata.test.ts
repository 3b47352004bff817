// What relying parties read about verifiers: SD-JWT VC issuer metadata at
// /.well-known/jwt-vc-issuer/verifiers/<slug> (ours, though oidc-provider answers the rest of
// /.well-known), the status list endpoint, and a credential verified end to end against both.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CREDENTIAL_TYP, openJson, presentCredential, revokeInStatusListToken, verifyPresentation } from "../../src/credentials/index.js";
import { dispatch } from "../../src/routes/dispatch.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { approve, keyedHolder, keyedVerifier, passportItem, submit, uniqueSlug } from "./helpers.js";

pgNotice();

describe("dispatcher: /.well-known/jwt-vc-issuer is ours, the rest of /.well-known the provider's", () => {
  it("sends each path to the right application", () => {
    const seen: string[] = [];
    const headers: string[] = [];
    const handler = dispatch({
      ours: () => seen.push("ours"),
      provider: () => () => seen.push("provider"),
      headers: { page: () => headers.push("page"), api: () => headers.push("api") } as never,
      log: null,
    });
    for (const url of ["/.well-known/jwt-vc-issuer/verifiers/x", "/.well-known/openid-configuration", "/.well-known/jwt-vc-issuer", "/verifiers/x/status/y", "/token"]) handler({ url } as never, {} as never);
    assert.deepEqual(seen, ["ours", "provider", "provider", "ours", "provider"]);
    assert.deepEqual(headers, ["api", "api", "api", "page", "api"]);
  });
});

for (const db of databases()) {
  describe(`verifier metadata and status lists (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db);
    });
    after(() => s.close());

    it("publishes the signing key once set, keeps discovery the provider's", async () => {
      const slug = uniqueSlug();
      await s.app.container.verifiers.create({ slug, name: "Before keys", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp"] });
      assert.equal((await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/${slug}`)).status, 404, "no keys yet");
      assert.equal((await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/nobody`)).status, 404);
      const v = await keyedVerifier(s);
      const res = await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/${v.slug}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.match(res.headers.get("cache-control") ?? "", /max-age=300/);
      const meta = await res.json();
      assert.equal(meta.issuer, v.issuer);
      assert.equal(meta.jwks.keys.length, 1);
      assert.equal(meta.jwks.keys[0].kid, v.keys.publicJwks.signing.kid);
      assert.equal(meta.jwks.keys[0].x, v.keys.publicJwks.signing.x);
      assert.equal(meta.jwks.keys[0].d, undefined);
      const discovery = await fetch(`${s.url}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      assert.equal((await discovery.json()).issuer, s.url);
    });

    it("a verifier that publishes its keys on its own domain: we redirect there and list its issuer", async () => {
      const v = await keyedVerifier(s);
      const current = await s.app.container.verifiers.get(v.slug);
      await s.app.container.verifiers.update(v.slug, { ...current, externalIssuer: "https://kyc.example.com/tenants/acme" });
      const res = await fetch(`${s.url}/.well-known/jwt-vc-issuer/verifiers/${v.slug}`, { redirect: "manual" });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "https://kyc.example.com/.well-known/jwt-vc-issuer/tenants/acme");
      const listed = (await (await fetch(`${s.url}/api/verifiers`)).json()).verifiers.find((x: { slug: string }) => x.slug === v.slug);
      assert.equal(listed.issuer, "https://kyc.example.com/tenants/acme");
    });

    it("serves status lists as application/statuslist+jwt with validators; a credential verifies, then reports revoked", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const id = (await submit(h, v, [{ itemId: p.itemId, version: p.version }])).json().submission.id;
      assert.equal((await approve(v, id)).status, 204);
      const cred = (await h.agent.get("/api/vault/credentials")).json().credentials[0];
      const sdJwt = await openJson<string>(h.keys.encryptionKey, cred.sealed, CREDENTIAL_TYP);
      const verify = async () => {
        const presentation = await presentCredential(sdJwt, ["first_name", "age_over_18"].filter(() => true), h.keys.signingKey, { aud: "rp", nonce: "n-1" });
        return verifyPresentation(presentation, {
          aud: "rp",
          nonce: "n-1",
          keys: async (iss, kid) => {
            const u = new URL(iss);
            const meta = await (await fetch(`${u.origin}/.well-known/jwt-vc-issuer${u.pathname}`)).json();
            return meta.jwks.keys.find((k: { kid: string }) => k.kid === kid) ?? null;
          },
          status: async (uri) => (await fetch(uri)).text(),
        });
      };
      const ok = await verify();
      assert.equal(ok.verified, true, ok.reason);
      assert.equal(ok.iss, v.issuer);

      const uri = `${v.issuer}/status/${v.listId}`;
      const first = await fetch(uri);
      assert.equal(first.headers.get("content-type"), "application/statuslist+jwt");
      const etag = first.headers.get("etag")!;
      assert.equal((await fetch(uri, { headers: { "if-none-match": etag } })).status, 304);
      assert.equal((await fetch(`${v.issuer}/status/not-a-uuid`)).status, 404);
      assert.equal((await fetch(`${s.url}/verifiers/nobody/status/${v.listId}`)).status, 404);

      const st = (await v.member.agent.get(`/api/verifiers/${v.slug}/status/${v.listId}`)).json();
      const idx = (await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}`)).json().credentials[0].statusIndex;
      const token = await revokeInStatusListToken(st.token, idx, v.keys.signingKey, v.keys.publicJwks.signing.kid!);
      assert.equal((await v.member.agent.request("POST", `/api/verifiers/${v.slug}/credentials/${cred.id}/revoke`, { json: { token, version: st.version } })).status, 204);
      assert.equal((await fetch(uri, { headers: { "if-none-match": etag } })).status, 200, "a new version, a new etag");
      const revoked = await verify();
      assert.equal(revoked.verified, false);
      assert.equal(revoked.reason, "revoked");
    });
  });
}
