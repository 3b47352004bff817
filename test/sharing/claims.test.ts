// Options through the `claims` request parameter (verified_claims at userinfo): selfie and
// translation, a limited field list, native-script names, options for a one-of group; and the
// requests the server refuses before any consent (bad claims, no nonce), each with invalid_request
// and a description.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DocumentType } from "../../src/documents/types.js";
import { missingRequired } from "../../src/sharing/compose.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { defaultFields, defaultScans, storeDocument, type StoredDocument } from "./documents.js";
import { assertShared, authorizationError, claimsParam, registerPassportRp, sharePassport, type PassportRp } from "./flow.js";

pgNotice();

for (const db of databases()) {
  describe(`sharing: claims options (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    const docs = new Map<DocumentType, StoredDocument>();

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      for (const type of ["personal_details", "passport", "utility_bill"] as const) docs.set(type, await storeDocument(h, type));
      rp = await registerPassportRp(s);
    });
    after(() => s.close());

    it("adds the selfie (essential) and the translation when asked", async () => {
      const passport = docs.get("passport")!;
      const claims = claimsParam({ passport: { selfie: { essential: true }, translation: null } });
      const { payload, tokens, consent } = await sharePassport(s, rp, h, "openid passport:passport", {
        params: { claims },
        choose: (c, choices) => {
          // The consent page would refuse to go on without the required selfie.
          assert.deepEqual(missingRequired(c.request, choices, new Set()), []);
          assert.deepEqual(missingRequired(c.request, new Map([["passport", { ...choices.get("passport")!, selfie: false }]]), new Set()), ["passport: the selfie is required"]);
        },
      });
      assert.deepEqual(consent.request.entries[0]!.options, { fields: null, essential: [], selfie: "required", translation: "optional", nativeNames: "no" });
      await assertShared(s.url, tokens.access_token, payload.data.passport, passport, { scans: passport.scans });
    });

    it("shares only the listed fields", async () => {
      const passport = docs.get("passport")!;
      const { payload, tokens } = await sharePassport(s, rp, h, "openid passport:passport", { params: { claims: claimsParam({ passport: { document_no: null } }) } });
      await assertShared(s.url, tokens.access_token, payload.data.passport, passport, { fields: { document_no: passport.data.document_no }, scans: [] });
    });

    it("shares the names in the native script when asked", async () => {
      const pd = docs.get("personal_details")!;
      const plain = await sharePassport(s, rp, h, "openid passport:personal_details");
      assert.equal(plain.payload.data.personal_details!.fields.first_name_native, undefined, "not by default");
      const { payload, tokens } = await sharePassport(s, rp, h, "openid passport:personal_details", { params: { claims: claimsParam({ personal_details: { native_names: null } }) } });
      const { first_name_native, last_name_native } = pd.data;
      await assertShared(s.url, tokens.access_token, payload.data.personal_details, pd, { fields: { ...defaultFields(pd), first_name_native, last_name_native } });
    });

    it("applies options given for a one-of group to the document chosen", async () => {
      const bill = docs.get("utility_bill")!;
      const { payload, tokens } = await sharePassport(s, rp, h, "openid passport:address_document", { params: { claims: claimsParam({ address_document: { translation: { essential: true } } }) } });
      assert.deepEqual(Object.keys(payload.data), ["utility_bill"]);
      await assertShared(s.url, tokens.access_token, payload.data.utility_bill, bill, { scans: [...defaultScans(bill), ...bill.scans.filter((x) => x.role === "translation")] });
    });

    it("requires a nonce with Passport scopes: the payload is bound to it", async () => {
      const e = await authorizationError(rp, h, { scope: "openid passport:passport", nonce: "" });
      assert.equal(e.error, "invalid_request");
      assert.match(e.description ?? "", /nonce is required/);
    });

    const refused: [string, string, string, RegExp][] = [
      ["an unknown field", "openid passport:passport", claimsParam({ passport: { colour: null } }), /passport\.colour is not something passport can share/],
      ["an option the type does not have", "openid passport:address", claimsParam({ address: { selfie: null } }), /address\.selfie/],
      ["an unknown type", "openid passport:passport", claimsParam({ passport: null, spaceship: null }), /spaceship needs the scope passport:spaceship/],
      ["a type without its scope", "openid passport:passport", claimsParam({ identity_card: { selfie: null } }), /identity_card needs the scope passport:identity_card/],
      ["claims that are not JSON", "openid passport:passport", "{not json", /claims/],
      ["a member that is neither null nor an object", "openid passport:passport", claimsParam({ passport: { document_no: "yes" } }), /document_no must be null or an object/],
      ["essential that is not a boolean", "openid passport:passport", claimsParam({ passport: { selfie: { essential: "yes" } } }), /selfie\.essential must be true or false/],
      ["verified_claims that is not an object", "openid passport:passport", JSON.stringify({ userinfo: { verified_claims: [1] } }), /must be null or objects|verified_claims must be an object/],
      ["an unsupported verified_claims member", "openid passport:passport", claimsParam({}, { evidence: null }), /verified_claims\.evidence is not supported/],
      ["verified_claims under id_token", "openid passport:passport", JSON.stringify({ id_token: { verified_claims: { claims: { passport: null } } } }), /userinfo/],
    ];
    for (const [what, scope, claims, description] of refused) {
      it(`refuses ${what} with invalid_request`, async () => {
        const e = await authorizationError(rp, h, { scope, claims });
        assert.equal(e.error, "invalid_request", e.description ?? "");
        assert.match(e.description ?? "", description);
      });
    }
  });
}
