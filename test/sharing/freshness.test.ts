// Every authorization with Passport scopes goes through the holder's browser, which seals the
// documents as they are now: a remembered consent skips the questions but not the sealing, an
// edited document arrives edited, prompt=none cannot work, and the ID token never carries the data.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { authRequest } from "../helpers/oidc.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument, updateDocument, type StoredDocument } from "./documents.js";
import { assertShared, authorizationError, registerPassportRp, sharePassport, type PassportRp } from "./flow.js";

pgNotice();

for (const db of databases()) {
  describe(`sharing: a fresh payload each time (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    let passport: StoredDocument;

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      passport = await storeDocument(h, "passport");
      rp = await registerPassportRp(s);
    });
    after(() => s.close());

    it("delivers the edited document on the next authorization, through the consent step", async () => {
      const first = await sharePassport(s, rp, h, "openid passport:passport");
      assert.equal(first.consent.remembered, false, "first time: the holder is asked");
      await assertShared(s.url, first.tokens.access_token, first.payload.data.passport, passport);

      const edited = await updateDocument(h, passport, { document_no: "X9876543", expiry_date: "2035-12-31" });
      assert.equal(edited.version, passport.version + 1);
      const second = await sharePassport(s, rp, h, "openid passport:passport");
      assert.equal(second.consent.remembered, true, "consent given before is remembered");
      assert.equal(second.consent.nonce, second.req.nonce, "sealed for this request");
      assert.equal(second.payload.data.passport!.fields.document_no, "X9876543");
      await assertShared(s.url, second.tokens.access_token, second.payload.data.passport, edited);
      assert.equal(second.userinfo.sub, first.userinfo.sub);
      passport = edited;
    });

    it("answers prompt=none with interaction_required, even with consent remembered", async () => {
      const e = await authorizationError(rp, h, { scope: "openid passport:passport", prompt: "none" });
      assert.equal(e.error, "interaction_required", e.description ?? "");
      // Without Passport scopes the same client signs in silently.
      const silent = await h.agent.follow((await authRequest(rp.config, { scope: "openid", prompt: "none" })).url.toString());
      assert.ok(new URL(silent.url).searchParams.get("code"), silent.url);
    });

    it("keeps the passport claim out of the ID token, even when asked for there", async () => {
      const { tokens, userinfo } = await sharePassport(s, rp, h, "openid passport:passport", {
        params: { claims: JSON.stringify({ id_token: { passport: { essential: true } } }) },
      });
      const idToken = tokens.claims()!;
      assert.equal("passport" in idToken, false);
      assert.equal(typeof userinfo.passport, "string");
      const parts = tokens.id_token!.split(".");
      assert.equal(parts.length, 3, "a signed ID token, not a container for the payload");
      assert.ok(!Buffer.from(parts[1]!, "base64url").toString().includes(String(userinfo.passport).split(".")[3]!.slice(0, 40)));
    });
  });
}
