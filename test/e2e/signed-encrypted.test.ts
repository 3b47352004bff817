// Scenario 5: userinfo as a signed JWT, and signed-then-encrypted to the client's own key (EC and
// RSA), plus an encrypted ID token. openid-client verifies the signatures against the provider's
// JWKS (non-repudiation checks) and decrypts with the relying party's private key.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { decodeProtectedHeader } from "jose";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, rpKeyPair } from "../helpers/oidc.js";

pgNotice();

/** The raw userinfo answer, to see what travelled on the wire. */
async function rawUserinfo(s: TestServer, accessToken: string): Promise<{ type: string; body: string }> {
  const res = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(res.status, 200);
  return { type: res.headers.get("content-type") ?? "", body: await res.text() };
}

for (const db of databases()) {
  describe(`signed and encrypted responses (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let browser: Agent;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      browser = new Agent(s.url);
    });
    after(() => s.close());

    for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
      it(`signs userinfo with ${alg} when the client registered for it`, async () => {
        const rp = await registerRp(s, { name: `Signed ${alg}`, userinfoSignedResponseAlg: alg }, { metadata: { userinfo_signed_response_alg: alg } });
        client.enableNonRepudiationChecks(rp.config);
        const { tokens, claims } = await codeFlow(rp, browser, holder);
        const raw = await rawUserinfo(s, tokens.access_token);
        assert.match(raw.type, /^application\/jwt/);
        assert.equal(raw.body.split(".").length, 3, "a compact JWS");
        assert.equal(decodeProtectedHeader(raw.body).alg, alg);
        const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
        assert.equal(userinfo.email, holder.email);
        assert.equal(userinfo.iss, s.url);
        assert.equal(userinfo.aud, rp.clientId);
      });
    }

    it("signs then encrypts userinfo and the ID token to the client's EC P-256 key (ECDH-ES+A256KW, A256GCM)", async () => {
      const enc = await rpKeyPair("ECDH-ES+A256KW", "rp-ec-enc", { crv: "P-256" });
      const rp = await registerRp(
        s,
        {
          name: "Encrypted EC",
          jwks: { keys: [enc.publicJwk] },
          userinfoSignedResponseAlg: "ES256",
          userinfoEncryptedResponseAlg: "ECDH-ES+A256KW",
          userinfoEncryptedResponseEnc: "A256GCM",
          idTokenEncryptedResponseAlg: "ECDH-ES+A256KW",
          idTokenEncryptedResponseEnc: "A256GCM",
        },
        { metadata: { userinfo_signed_response_alg: "ES256" } },
      );
      client.enableNonRepudiationChecks(rp.config);
      client.enableDecryptingResponses(rp.config, ["A256GCM"], { key: enc.privateKey, alg: "ECDH-ES+A256KW", kid: "rp-ec-enc" });
      const { tokens, claims, req } = await codeFlow(rp, browser, holder);

      // The ID token came encrypted; openid-client opened it and checked the inner signed token.
      assert.equal(tokens.id_token!.split(".").length, 5, "the ID token is a compact JWE");
      const idHeader = decodeProtectedHeader(tokens.id_token!);
      assert.deepEqual([idHeader.alg, idHeader.enc, idHeader.kid], ["ECDH-ES+A256KW", "A256GCM", "rp-ec-enc"]);
      const innerId = client.getDecryptedResponses(tokens)?.id_token?.token_endpoint;
      assert.ok(innerId, "openid-client decrypted the ID token");
      assert.equal(innerId.split(".").length, 3);
      assert.equal(claims.nonce, req.nonce);
      assert.equal(claims.aud, rp.clientId);

      const raw = await rawUserinfo(s, tokens.access_token);
      assert.match(raw.type, /^application\/jwt/);
      const header = decodeProtectedHeader(raw.body);
      assert.deepEqual([header.alg, header.enc, header.kid], ["ECDH-ES+A256KW", "A256GCM", "rp-ec-enc"]);
      assert.equal(raw.body.split(".").length, 5, "a compact JWE");

      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      assert.equal(userinfo.email, holder.email);
      const inner = client.getDecryptedResponses(userinfo);
      assert.ok(inner, "openid-client decrypted the userinfo");
      assert.equal(decodeProtectedHeader(inner).alg, "ES256", "the userinfo was signed before it was encrypted");
    });

    it("signs then encrypts userinfo to the client's RSA key (RSA-OAEP-256)", async () => {
      const enc = await rpKeyPair("RSA-OAEP-256", "rp-rsa-enc");
      const rp = await registerRp(
        s,
        { name: "Encrypted RSA", jwks: { keys: [enc.publicJwk] }, userinfoEncryptedResponseAlg: "RSA-OAEP-256", userinfoEncryptedResponseEnc: "A256GCM" },
        // Encryption alone implies a signed inner token (RS256 unless the client chose another).
        { metadata: { userinfo_signed_response_alg: "RS256" } },
      );
      client.enableNonRepudiationChecks(rp.config);
      client.enableDecryptingResponses(rp.config, ["A256GCM"], { key: enc.privateKey, kid: "rp-rsa-enc" });
      const { tokens, claims } = await codeFlow(rp, browser, holder);
      assert.equal(tokens.id_token!.split(".").length, 3, "the ID token of this client is only signed");

      const raw = await rawUserinfo(s, tokens.access_token);
      assert.equal(raw.body.split(".").length, 5, "a compact JWE");
      const header = decodeProtectedHeader(raw.body);
      assert.deepEqual([header.alg, header.enc, header.kid], ["RSA-OAEP-256", "A256GCM", "rp-rsa-enc"]);

      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      assert.equal(userinfo.email, holder.email);
      assert.equal(userinfo.sub, claims.sub);
      const inner = client.getDecryptedResponses(userinfo);
      assert.ok(inner);
      assert.equal(decodeProtectedHeader(inner).alg, "RS256");
    });
  });
}
