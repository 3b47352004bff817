// What an attestation says about a document: fields without scans, plus derived claims at `now`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ageAt, documentClaims, typeOfVct, vctFor } from "../../src/credentials/index.js";

const scan = { id: "6f1c2b4e-2f7a-4d8e-9b3c-1a2b3c4d5e6f", mime: "image/jpeg", size: 10, sha256: "a".repeat(64) };

test("age_over_* turn true on the birthday, not the day before (UTC calendar)", () => {
  const fields = { first_name: "A", last_name: "B", birth_date: "2008-03-01", gender: "male", country_code: "NL", residence_country_code: "NL" };
  const before = documentClaims("personal_details", fields, new Date("2026-02-28T23:59:59Z"));
  const on = documentClaims("personal_details", fields, new Date("2026-03-01T00:00:00Z"));
  assert.equal(before.age_over_18, false);
  assert.equal(on.age_over_18, true);
  assert.deepEqual([on.age_over_16, on.age_over_21, on.age_over_65], [true, false, false]);
  assert.equal(on.nationality, "NL");
  assert.equal(ageAt("2000-02-29", new Date("2021-02-28T12:00:00Z")), 20);
  assert.equal(ageAt("2000-02-29", new Date("2021-03-01T00:00:00Z")), 21);
});

test("identity documents: document_valid from expiry_date; scans and empty fields are left out", () => {
  const claims = documentClaims("passport", { document_no: "X1", expiry_date: "2030-05-01", front_side: scan, selfie: scan, translation: [scan] }, new Date("2030-05-01T10:00:00Z"));
  assert.deepEqual(claims, { document_no: "X1", expiry_date: "2030-05-01", document_valid: true });
  const expired = documentClaims("identity_card", { document_no: "X1", expiry_date: "2030-05-01", translation: [] }, new Date("2030-05-02T00:00:00Z"));
  assert.equal(expired.document_valid, false);
  const noExpiry = documentClaims("driver_license", { document_no: "X1", expiry_date: "" }, new Date());
  assert.deepEqual(noExpiry, { document_no: "X1", document_valid: true });
});

test("other types carry their fields only; vct names the type under Passport's issuer", () => {
  assert.deepEqual(documentClaims("email", { email: "a@example.com" }, new Date()), { email: "a@example.com" });
  assert.deepEqual(documentClaims("utility_bill", { files: [scan], translation: [] }, new Date()), {});
  assert.equal(vctFor("https://id.example/", "passport"), "https://id.example/vct/passport");
  assert.equal(vctFor("https://id.example/verifiers/kyc", "passport"), "https://id.example/vct/passport");
  assert.equal(vctFor("https://kyc.example.org", "address"), "https://kyc.example.org/vct/address");
  assert.equal(typeOfVct("https://id.example/vct/personal_details"), "personal_details");
  assert.equal(typeOfVct("urn:example"), null);
});
