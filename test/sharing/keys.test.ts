// The client's registered key decides what the payload is sealed to: ECDH-ES+A256KW and
// RSA-OAEP-256 both work; of several keys the newest suitable one is used; without an encryption
// key, or without the scope, a client cannot ask for documents at all.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { decodeProtectedHeader } from "jose";
import { openPassport, PassportError } from "../../src/sdk/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { authRequest, registerRp, rpKeyPair, walk, type Rp } from "../helpers/oidc.js";
import { ClientStore } from "../../src/db/clients.js";
import type { ClientInputRaw } from "../../src/services/client-schema.js";
import { storeDocument, type StoredDocument } from "./documents.js";
import { ALL_SCOPES, assertShared, authorizationError, registerPassportRp, sharePassport, type PassportRp } from "./flow.js";

pgNotice();

for (const db of databases()) {
  describe(`sharing: client keys (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let passport: StoredDocument;

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      passport = await storeDocument(h, "passport");
    });
    after(() => s.close());

    for (const alg of ["ECDH-ES+A256KW", "RSA-OAEP-256"] as const) {
      it(`seals to the client's ${alg} key and the SDK opens it`, async () => {
        const rp = await registerPassportRp(s, { alg, kid: `only-${alg}` });
        const { userinfo, payload, tokens } = await sharePassport(s, rp, h, "openid passport:passport");
        const header = decodeProtectedHeader(String(userinfo.passport));
        assert.deepEqual({ alg: header.alg, enc: header.enc, kid: header.kid, typ: header.typ }, { alg, enc: "A256GCM", kid: `only-${alg}`, typ: "passport+jwe" });
        await assertShared(s.url, tokens.access_token, payload.data.passport, passport);
      });
    }

    it("uses the newest suitable key of several (the last encryption key in the JWKS)", async () => {
      const older = await rpKeyPair("RSA-OAEP-256", "enc-2024");
      const newer = await rpKeyPair("ECDH-ES+A256KW", "enc-2025", { crv: "P-256" });
      const signing = await rpKeyPair("ES256", "sig-2025");
      const base = await registerRp(s, { name: "Rotating RP", scopes: ALL_SCOPES, jwks: { keys: [older.publicJwk, newer.publicJwk, signing.publicJwk] as never } });
      const rp: PassportRp = { ...base, name: "Rotating RP", privateKey: newer.privateKey, publicJwk: newer.publicJwk };
      const { userinfo, consent, req } = await sharePassport(s, rp, h, "openid passport:passport");
      assert.equal(consent.encryptionKey.jwk.kid, "enc-2025");
      assert.equal(consent.encryptionKey.alg, "ECDH-ES+A256KW");
      assert.equal(decodeProtectedHeader(String(userinfo.passport)).kid, "enc-2025");
      // The older key cannot open it.
      await assert.rejects(
        openPassport(userinfo, older.privateKey, { issuer: s.url, clientId: rp.clientId, nonce: req.nonce }),
        (e: unknown) => e instanceof PassportError && e.code === "decrypt_failed",
      );
    });

    it("carries the passport claim inside a signed and encrypted userinfo when the client registered for it", async () => {
      const enc = await rpKeyPair("ECDH-ES+A256KW", "enc-ui", { crv: "P-256" });
      const base = await registerRp(
        s,
        { name: "Wrapped RP", scopes: ALL_SCOPES, jwks: { keys: [enc.publicJwk] }, userinfoSignedResponseAlg: "ES256", userinfoEncryptedResponseAlg: "ECDH-ES+A256KW", userinfoEncryptedResponseEnc: "A256GCM" },
        { metadata: { userinfo_signed_response_alg: "ES256" } },
      );
      client.enableNonRepudiationChecks(base.config);
      client.enableDecryptingResponses(base.config, ["A256GCM"], { key: enc.privateKey, alg: "ECDH-ES+A256KW", kid: "enc-ui" });
      const rp: PassportRp = { ...base, name: "Wrapped RP", privateKey: enc.privateKey, publicJwk: enc.publicJwk };
      const { tokens, payload, userinfo } = await sharePassport(s, rp, h, "openid passport:passport");
      const raw = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.match(raw.headers.get("content-type") ?? "", /^application\/jwt/);
      const body = await raw.text();
      assert.equal(body.split(".").length, 5, "userinfo is itself a JWE");
      assert.ok(!body.includes(String(userinfo.passport).split(".")[3]!.slice(0, 40)), "the passport JWE travels inside it, not in the clear");
      await assertShared(s.url, tokens.access_token, payload.data.passport, passport);
    });

    it("refuses Passport scopes to a client without an encryption key (invalid_scope)", async () => {
      // Such clients are refused at registration now; these stand for ones registered before.
      const signOnly = await rpKeyPair("ES256", "sig-only");
      await assert.rejects(registerRp(s, { name: "Keyless RP", scopes: ALL_SCOPES }), /jwks: Passport scopes .* need the client's public encryption key/);
      await assert.rejects(registerRp(s, { name: "Signing-key RP", scopes: ALL_SCOPES, jwks: { keys: [signOnly.publicJwk as never] } }), /has none Passport can encrypt to/);
      const noKey = await legacyClient(s, { name: "Keyless RP", scopes: ALL_SCOPES });
      const sigKeyOnly = await legacyClient(s, { name: "Signing-key RP", scopes: ALL_SCOPES, jwks: { keys: [signOnly.publicJwk as never] } });
      for (const rp of [noKey, sigKeyOnly]) {
        const e = await authorizationError(rp, h, { scope: "openid passport:passport" });
        assert.equal(e.error, "invalid_scope", e.description ?? "");
        assert.match(e.description ?? "", /encryption key/);
      }
      // The same clients still sign people in without documents.
      const plain = await walk(h.agent, (await authRequest(noKey.config, { scope: "openid" })).url);
      assert.ok(plain.callback.searchParams.get("code"), plain.callback.toString());
    });

    it("refuses a Passport scope the client is not allowed (invalid_scope)", async () => {
      const rp = await registerPassportRp(s, { name: "Email-only RP", scopes: ["openid", "passport:email"] });
      const e = await authorizationError(rp, h, { scope: "openid passport:passport" });
      assert.equal(e.error, "invalid_scope", e.description ?? "");
      assert.match(e.description ?? "", /not allowed/);
    });
  });
}

/** A client stored as it was before registration refused Passport scopes without an encryption key. */
async function legacyClient(s: TestServer, input: Partial<ClientInputRaw>): Promise<Rp> {
  const rp = await registerRp(s, { ...input, scopes: ["openid"], jwks: undefined });
  const store = new ClientStore(s.app.container.ds);
  const row = (await store.get(rp.clientId))!;
  const stored = JSON.parse(row.metadata) as { input: Record<string, unknown> };
  await store.update(rp.clientId, { metadata: JSON.stringify({ ...stored, input: { ...stored.input, ...input } }) });
  return rp;
}
