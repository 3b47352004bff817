// Each Passport scope delivers its document, and the one-of scopes deliver the one the holder
// picks. One holder keeps a document of every type (with a scan in every slot the type has); one
// client may ask for every scope; openid-client redeems and the SDK opens what arrives.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DOCUMENT_TYPES, type DocumentType } from "../../src/documents/types.js";
import { PASSPORT_SCOPES } from "../../src/sharing/scopes.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeAllDocuments, type StoredDocument } from "./documents.js";
import { assertShared, registerPassportRp, sharePassport, type PassportRp } from "./flow.js";

pgNotice();

for (const db of databases()) {
  describe(`sharing: each scope (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    let docs: Map<DocumentType, StoredDocument>;

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      docs = await storeAllDocuments(h);
      rp = await registerPassportRp(s);
    });
    after(() => s.close());

    it("discovery lists every Passport scope and the passport claim", () => {
      const meta = rp.config.serverMetadata();
      for (const scope of PASSPORT_SCOPES) assert.ok(meta.scopes_supported?.includes(scope), scope);
      assert.ok(meta.claims_supported?.includes("passport"));
      assert.equal(PASSPORT_SCOPES.length, 16);
    });

    it("delivers each of the 13 types to a client asking for its scope, with the default fields", async () => {
      for (const type of DOCUMENT_TYPES) {
        const { payload, tokens, userinfo } = await sharePassport(s, rp, h, `openid passport:${type}`);
        assert.deepEqual(Object.keys(payload.data), [type], `only ${type} is shared`);
        assert.equal(payload.sub, userinfo.sub);
        assert.equal(payload.aud, rp.clientId);
        assert.equal(payload.iss, s.url);
        await assertShared(s.url, tokens.access_token, payload.data[type], docs.get(type)!);
      }
    });

    it("passport:id_document shares one identity document: the default, or the one the holder picks", async () => {
      const byDefault = await sharePassport(s, rp, h, "openid passport:id_document");
      assert.deepEqual(Object.keys(byDefault.payload.data), ["passport"], "the first identity document the holder has");
      await assertShared(s.url, byDefault.tokens.access_token, byDefault.payload.data.passport, docs.get("passport")!);

      const picked = await sharePassport(s, rp, h, "openid passport:id_document", {
        choose: (_c, choices) => {
          choices.get("id_document")!.type = "identity_card";
        },
      });
      assert.deepEqual(Object.keys(picked.payload.data), ["identity_card"]);
      await assertShared(s.url, picked.tokens.access_token, picked.payload.data.identity_card, docs.get("identity_card")!);
    });

    it("passport:address_document shares one proof of address: the default, or the one the holder picks", async () => {
      const byDefault = await sharePassport(s, rp, h, "openid passport:address_document");
      assert.deepEqual(Object.keys(byDefault.payload.data), ["utility_bill"]);
      await assertShared(s.url, byDefault.tokens.access_token, byDefault.payload.data.utility_bill, docs.get("utility_bill")!);

      const picked = await sharePassport(s, rp, h, "openid passport:address_document", {
        choose: (_c, choices) => {
          choices.get("address_document")!.type = "rental_agreement";
        },
      });
      assert.deepEqual(Object.keys(picked.payload.data), ["rental_agreement"]);
      await assertShared(s.url, picked.tokens.access_token, picked.payload.data.rental_agreement, docs.get("rental_agreement")!);
    });

    it("a one-of scope next to a type scope shares both", async () => {
      const { payload, tokens } = await sharePassport(s, rp, h, "openid passport:personal_details passport:address_document");
      assert.deepEqual(Object.keys(payload.data).sort(), ["personal_details", "utility_bill"]);
      await assertShared(s.url, tokens.access_token, payload.data.personal_details, docs.get("personal_details")!);
    });
  });
}
