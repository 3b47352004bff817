// Scenario 1: what the provider advertises. Code flow with PKCE S256 only, no weak or missing
// algorithms, and a JWKS of public signing keys of each family.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { rpConfig } from "../helpers/oidc.js";

pgNotice();

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

for (const db of databases()) {
  describe(`discovery and JWKS (${db})`, () => {
    let s: TestServer;
    let meta: client.ServerMetadata;

    before(async () => {
      s = await startServer(db);
      meta = (await rpConfig(s, "discovery-only")).serverMetadata();
    });
    after(() => s.close());

    it("names the issuer and its endpoints under it", () => {
      assert.equal(meta.issuer, s.url);
      assert.equal(meta.authorization_endpoint, `${s.url}/auth`);
      assert.equal(meta.token_endpoint, `${s.url}/token`);
      assert.equal(meta.userinfo_endpoint, `${s.url}/me`);
      assert.equal(meta.jwks_uri, `${s.url}/jwks`);
      assert.equal(meta.introspection_endpoint, `${s.url}/token/introspection`);
      assert.equal(meta.revocation_endpoint, `${s.url}/token/revocation`);
      assert.equal(meta.end_session_endpoint, `${s.url}/session/end`);
    });

    it("offers the code flow with PKCE S256 only: no implicit, hybrid or password grant", () => {
      assert.deepEqual(meta.response_types_supported, ["code"]);
      assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
      const grants = meta.grant_types_supported ?? [];
      assert.ok(grants.includes("authorization_code") && grants.includes("refresh_token"), grants.join(" "));
      for (const g of ["implicit", "password"]) assert.ok(!grants.includes(g), `${g} is advertised`);
      assert.deepEqual(
        [...(meta.token_endpoint_auth_methods_supported ?? [])].sort(),
        ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"],
      );
      assert.deepEqual([...(meta.subject_types_supported as string[])].sort(), ["pairwise", "public"]);
    });

    it("never offers none, RSA1_5 or HMAC algorithms, and offers ECDH-ES+A256KW and RSA-OAEP-256", () => {
      const algLists = Object.entries(meta).filter(([k]) => k.endsWith("_alg_values_supported")) as [string, string[]][];
      assert.ok(algLists.length >= 5, `only ${algLists.map(([k]) => k).join(", ")}`);
      for (const [name, values] of algLists) {
        assert.ok(Array.isArray(values) && values.length > 0, `${name} is empty`);
        for (const bad of ["none", "RSA1_5"]) assert.ok(!values.includes(bad), `${name} offers ${bad}`);
        assert.ok(!values.some((v) => /^HS\d+$/.test(v)), `${name} offers an HMAC algorithm`);
      }
      for (const name of ["id_token_encryption_alg_values_supported", "userinfo_encryption_alg_values_supported"]) {
        const values = meta[name] as string[];
        assert.ok(values.includes("ECDH-ES+A256KW"), `${name}: ${values}`);
        assert.ok(values.includes("RSA-OAEP-256"), `${name}: ${values}`);
      }
      for (const name of ["id_token_encryption_enc_values_supported", "userinfo_encryption_enc_values_supported"]) {
        assert.ok((meta[name] as string[]).includes("A256GCM"), name);
      }
      for (const name of ["id_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported"]) {
        const values = meta[name] as string[];
        for (const alg of ["RS256", "ES256", "EdDSA"]) assert.ok(values.includes(alg), `${name} lacks ${alg}`);
      }
    });

    it("publishes RSA, EC and OKP signing keys without private members", async () => {
      const res = await fetch(meta.jwks_uri!);
      assert.equal(res.status, 200);
      const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
      assert.deepEqual([...new Set(keys.map((k) => k.kty))].sort(), ["EC", "OKP", "RSA"]);
      for (const k of keys) {
        assert.equal(typeof k.kid, "string", "every key has a kid");
        assert.equal(k.use, "sig");
        for (const m of PRIVATE_MEMBERS) assert.ok(!(m in k), `${k.kty} key ${k.kid} exposes "${m}"`);
      }
      assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, "kids are unique");
    });
  });
}
