// Error reports: a relying party that finds a problem in a shared document posts it to
// /passport/errors, authenticated as at the token endpoint, with the access token of the share.
// The holder sees it on the item with the client's name; a new version of the item clears it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { SignJWT } from "jose";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { readVault, signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { rpKeyPair, type PublicJwk } from "../helpers/oidc.js";
import { storeDocument, updateDocument, type StoredDocument } from "./documents.js";
import { registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();

interface Report {
  type: string;
  version: number;
  kind: string;
  field?: string;
  file_id?: string;
  message: string;
}

const basic = (rp: PassportRp) => `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret!)}`).toString("base64")}`;

for (const db of databases()) {
  describe(`sharing: error reports (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let passport: StoredDocument;
    let secretRp: PassportRp;
    let jwtRp: PassportRp;
    let signing: { privateKey: CryptoKey; publicJwk: PublicJwk };
    let bySecret: Shared;
    let byJwt: Shared;

    /** Posts an error report; `auth` is a header value, or body fields for client assertions. */
    const post = async (body: Record<string, unknown>, auth?: string) => {
      const res = await fetch(`${s.url}/passport/errors`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const assertion = (aud = `${s.url}/passport/errors`) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "ES256", kid: signing.publicJwk.kid })
        .setIssuer(jwtRp.clientId)
        .setSubject(jwtRp.clientId)
        .setAudience(aud)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime("2m")
        .sign(signing.privateKey);
    const jwtAuth = async () => ({ client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: await assertion() });
    const errorsOn = async (type: string) => (await readVault(h)).items.find((i: { type: string }) => i.type === type).errors as (Report & { source: string; fileId?: string })[];

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      passport = await storeDocument(h, "passport");
      signing = await rpKeyPair("ES256", "sig-1");
      secretRp = await registerPassportRp(s, { name: "Bank of Tests" });
      jwtRp = await registerPassportRp(s, { name: "Shop with Keys", signingKey: signing });
      bySecret = await sharePassport(s, secretRp, h, "openid passport:passport", { params: { claims: JSON.stringify({ userinfo: { verified_claims: { claims: { passport: { selfie: null } } } } }) } });
      byJwt = await sharePassport(s, jwtRp, h, "openid passport:passport");
    });
    after(() => s.close());

    it("a client_secret_basic client reports data, front-side and unspecified errors; the holder sees them with its name", async () => {
      const v = bySecret.payload.data.passport!.version;
      const errors: Report[] = [
        { type: "passport", version: v, kind: "data", field: "document_no", message: "The number does not match the scan." },
        { type: "passport", version: v, kind: "front_side", message: "The front side is blurred." },
        { type: "passport", version: v, kind: "unspecified", message: "Please check your passport." },
      ];
      const res = await post({ access_token: bySecret.tokens.access_token, errors }, basic(secretRp));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { reported: 3 });

      const seen = await errorsOn("passport");
      assert.deepEqual(
        seen.map((e) => ({ source: e.source, kind: e.kind, field: e.field, message: e.message })),
        errors.map((e) => ({ source: "Bank of Tests", kind: e.kind, field: e.field, message: e.message })),
      );
    });

    it("a private_key_jwt client reports too; an assertion works once", async () => {
      const v = byJwt.payload.data.passport!.version;
      const front = byJwt.payload.data.passport!.files.find((f) => f.role === "front_side")!;
      const auth = await jwtAuth();
      const res = await post({ ...auth, access_token: byJwt.tokens.access_token, errors: [{ type: "passport", version: v, kind: "files", message: "Add the page with your photo." }, { type: "passport", version: v, kind: "file", file_id: front.id, message: "Cut off at the edge." }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const mine = (await errorsOn("passport")).filter((e) => e.source === "Shop with Keys");
      assert.deepEqual(mine.map((e) => [e.kind, e.fileId ?? null]), [["files", null], ["file", front.id]]);
      assert.equal((await errorsOn("passport")).filter((e) => e.source === "Bank of Tests").length, 3, "the other client's reports stay");

      const replay = await post({ ...auth, access_token: byJwt.tokens.access_token, errors: [{ type: "passport", version: v, kind: "unspecified", message: "again" }] });
      assert.equal(replay.status, 401);
      assert.equal(replay.body.code, "invalid_client");
    });

    it("refuses requests without client authentication, or with wrong credentials (401 invalid_client)", async () => {
      const body = { access_token: bySecret.tokens.access_token, errors: [{ type: "passport", version: 1, kind: "unspecified", message: "x" }] };
      for (const auth of [undefined, `Basic ${Buffer.from(`${secretRp.clientId}:wrong`).toString("base64")}`, "Bearer " + bySecret.tokens.access_token]) {
        const res = await post(body, auth);
        assert.equal(res.status, 401, String(auth));
        assert.equal(res.body.code, "invalid_client");
      }
      // A secret sent the way the client did not register (client_secret_post) is refused as well.
      const posted = await post({ ...body, client_id: secretRp.clientId, client_secret: secretRp.secret });
      assert.equal(posted.status, 401);
      // An assertion for another audience.
      const elsewhere = await post({ ...body, access_token: byJwt.tokens.access_token, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: await assertion("https://elsewhere.example") });
      assert.equal(elsewhere.status, 401);
    });

    it("refuses another client's access token (401)", async () => {
      const res = await post({ access_token: byJwt.tokens.access_token, errors: [{ type: "passport", version: passport.version, kind: "unspecified", message: "x" }] }, basic(secretRp));
      assert.equal(res.status, 401);
      assert.equal(res.body.code, "invalid_token");
      const bogus = await post({ access_token: "not-an-access-token", errors: [{ type: "passport", version: passport.version, kind: "unspecified", message: "x" }] }, basic(secretRp));
      assert.equal(bogus.status, 401);
    });

    it("refuses malformed reports with 400 naming the field", async () => {
      const v = passport.version;
      const cases: [unknown[], string][] = [
        [[{ type: "passport", version: v, kind: "smudge", message: "x" }], "errors.0.kind"],
        [[{ type: "passport", version: v, kind: "data", message: "which field?" }], "errors.0.field"],
        [[{ type: "passport", version: v, kind: "translation_file", message: "which file?" }], "errors.0.file_id"],
        [[{ type: "passport", version: v, kind: "unspecified", message: "" }], "errors.0.message"],
        [[{ type: "passport", kind: "unspecified", message: "x" }], "errors.0.version"],
        [[], "errors"],
        [[{ type: "passport", version: v, kind: "data", field: "colour", message: "no such field" }], "errors.0.field"],
        // A file of the holder's passport that this client was not given (the translation).
        [[{ type: "passport", version: v, kind: "unspecified", message: "fine" }, { type: "passport", version: v, kind: "translation_file", file_id: passport.scans.find((x) => x.role === "translation")!.id, message: "x" }], "errors.1.file_id"],
        [[{ type: "passport", version: v, kind: "file", file_id: crypto.randomUUID(), message: "x" }], "errors.0.file_id"],
      ];
      for (const [errors, field] of cases) {
        const res = await post({ access_token: bySecret.tokens.access_token, errors }, basic(secretRp));
        assert.equal(res.status, 400, field);
        assert.ok(res.body.fields?.[field], `names ${field}: ${JSON.stringify(res.body)}`);
      }
      const notShared = await post({ access_token: bySecret.tokens.access_token, errors: [{ type: "identity_card", version: 1, kind: "unspecified", message: "x" }] }, basic(secretRp));
      assert.equal(notShared.status, 400);
      assert.match(notShared.body.detail, /identity_card was not shared/);
    });

    it("a new version of the item clears the errors; a report on the old version is refused (409)", async () => {
      assert.ok((await errorsOn("passport")).length > 0);
      const old = bySecret.payload.data.passport!.version;
      passport = await updateDocument(h, passport, { document_no: "P7654321" });
      assert.deepEqual(await errorsOn("passport"), []);
      const res = await post({ access_token: bySecret.tokens.access_token, errors: [{ type: "passport", version: old, kind: "data", field: "document_no", message: "still wrong" }] }, basic(secretRp));
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match(res.body.detail, /changed/);
      assert.deepEqual(await errorsOn("passport"), []);
    });
  });
}
