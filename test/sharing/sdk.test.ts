// The relying-party SDK's checks on a real payload: a payload for another request (nonce), another
// client (audience), another issuer or subject, an old one, the wrong key, a tampered JWE, a
// missing claim and a payload of the wrong shape are all refused with their own error code.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openPassport, PassportError, type PassportPayload } from "../../src/sdk/index.js";
import { sealPayload } from "../../src/sharing/payload.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { registerRp, rpKeyPair } from "../helpers/oidc.js";
import { storeDocument } from "./documents.js";
import { ALL_SCOPES, registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();

type Code = PassportError["code"];
const refusedWith = (code: Code) => (e: unknown) => {
  assert.ok(e instanceof PassportError, String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

/** Replaces one character of a compact JWE part so that it still decodes but no longer verifies. */
function tamper(jwe: string, part: number): string {
  const parts = jwe.split(".");
  const p = parts[part]!;
  const i = Math.floor(p.length / 2);
  parts[part] = p.slice(0, i) + (p[i] === "A" ? "B" : "A") + p.slice(i + 1);
  return parts.join(".");
}

for (const db of databases()) {
  describe(`sharing: SDK checks (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    let shared: Shared;
    let opts: { issuer: string; clientId: string; nonce: string; sub: string };

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      await storeDocument(h, "passport");
      rp = await registerPassportRp(s);
      shared = await sharePassport(s, rp, h, "openid passport:passport");
      opts = { issuer: s.url, clientId: rp.clientId, nonce: shared.req.nonce, sub: shared.userinfo.sub };
    });
    after(() => s.close());

    it("opens the payload with the right key and request", async () => {
      const p = await openPassport(shared.userinfo, rp.privateKey, opts);
      assert.equal(p.data.passport!.fields.document_no, shared.payload.data.passport!.fields.document_no);
      // The JWE string alone works as well as the userinfo object.
      assert.deepEqual(await openPassport(String(shared.userinfo.passport), rp.privateKey, opts), p);
    });

    it("refuses a nonce from another request", async () => {
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, nonce: "another-request" }), refusedWith("wrong_nonce"));
    });

    it("refuses a payload sealed for another client, even to the same key", async () => {
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, clientId: "someone-else" }), refusedWith("wrong_audience"));
      // Two clients of one company share a key: B's payload is no good to A.
      const base = await registerRp(s, { name: "Sister RP", scopes: ALL_SCOPES, jwks: { keys: [rp.publicJwk as never] } });
      const sister: PassportRp = { ...base, name: "Sister RP", privateKey: rp.privateKey, publicJwk: rp.publicJwk };
      const theirs = await sharePassport(s, sister, h, "openid passport:passport");
      await assert.rejects(openPassport(theirs.userinfo, rp.privateKey, { ...opts, nonce: theirs.req.nonce }), refusedWith("wrong_audience"));
    });

    it("refuses another issuer or another subject", async () => {
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, issuer: "https://elsewhere.example" }), refusedWith("wrong_issuer"));
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, sub: "someone-else" }), refusedWith("wrong_subject"));
    });

    it("refuses a stale payload (or one from the future)", async () => {
      const sealedAt = shared.payload.iat * 1000;
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, now: () => sealedAt + 601_000 }), refusedWith("stale"));
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, now: () => sealedAt + 61_000, maxAgeSeconds: 60 }), refusedWith("stale"));
      await assert.rejects(openPassport(shared.userinfo, rp.privateKey, { ...opts, now: () => sealedAt - 120_000 }), refusedWith("stale"));
      assert.ok(await openPassport(shared.userinfo, rp.privateKey, { ...opts, now: () => sealedAt + 599_000 }));
    });

    it("refuses to open with the wrong key", async () => {
      for (const alg of ["ECDH-ES+A256KW", "RSA-OAEP-256"]) {
        const other = await rpKeyPair(alg, "other", alg.startsWith("ECDH") ? { crv: "P-256" } : {});
        await assert.rejects(openPassport(shared.userinfo, other.privateKey, opts), refusedWith("decrypt_failed"));
      }
    });

    it("refuses a tampered JWE", async () => {
      const jwe = String(shared.userinfo.passport);
      // Protected header, wrapped key, IV, ciphertext, tag: a change to any of them breaks it.
      for (const part of [0, 1, 2, 3, 4]) {
        await assert.rejects(openPassport(tamper(jwe, part), rp.privateKey, opts), refusedWith("decrypt_failed"), `part ${part}`);
      }
      await assert.rejects(openPassport(jwe.split(".").slice(0, 4).join("."), rp.privateKey, opts), refusedWith("decrypt_failed"));
    });

    it("refuses userinfo without a passport claim, and a payload of the wrong shape", async () => {
      await assert.rejects(openPassport({ sub: shared.userinfo.sub } as never, rp.privateKey, opts), refusedWith("no_passport"));
      const bad = { ...shared.payload, v: 2 } as unknown as PassportPayload;
      const sealed = await sealPayload(bad, { jwk: rp.publicJwk, alg: "ECDH-ES+A256KW" });
      await assert.rejects(openPassport(sealed, rp.privateKey, opts), refusedWith("invalid_payload"));
      const badFile = { ...shared.payload, data: { passport: { ...shared.payload.data.passport!, files: [{ id: "x" }] } } } as unknown as PassportPayload;
      await assert.rejects(openPassport(await sealPayload(badFile, { jwk: rp.publicJwk, alg: "ECDH-ES+A256KW" }), rp.privateKey, opts), refusedWith("invalid_payload"));
    });
  });
}
