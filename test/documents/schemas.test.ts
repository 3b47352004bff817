// Document schemas: each of the thirteen types accepts good data and names the field of bad data.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DOCUMENT_TYPES, fileIdsOf, scanRoles, validateDocument, type DocumentType } from "../../src/documents/index.js";

const scan = (n: number) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, mime: "image/jpeg", size: 1000, sha256: "a".repeat(64) });

const GOOD: Record<DocumentType, unknown> = {
  personal_details: { first_name: "Zoë", last_name: "Kraus", birth_date: "01.02.1990", gender: "female", country_code: "de", residence_country_code: "FR" },
  passport: { document_no: "C01X00T47", expiry_date: "2031-05-01", front_side: scan(1), selfie: scan(2) },
  driver_license: { document_no: "B072RRE2I55", front_side: scan(1), reverse_side: scan(2) },
  identity_card: { document_no: "L01X00T47", front_side: scan(1), reverse_side: scan(2), translation: [scan(3)] },
  internal_passport: { document_no: "4509 123456" },
  address: { street_line1: "Unter den Linden 1", city: "Berlin", country_code: "DE", post_code: "10117" },
  utility_bill: { files: [scan(1)] },
  bank_statement: { files: [scan(1), scan(2)] },
  rental_agreement: { files: [scan(1)], translation: [scan(2)] },
  passport_registration: { files: [scan(1)] },
  temporary_registration: { files: [scan(1)] },
  phone_number: { phone_number: "+4915112345678" },
  email: { email: "Holder@Example.org" },
};

describe("document schemas", () => {
  it("cover all thirteen types", () => {
    assert.equal(DOCUMENT_TYPES.length, 13);
  });

  for (const type of DOCUMENT_TYPES) {
    it(`${type}: accepts good data`, () => {
      const r = validateDocument(type, GOOD[type]);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    });
  }

  it("normalises dates, country codes and emails", () => {
    const pd = validateDocument("personal_details", GOOD.personal_details);
    assert.ok(pd.ok);
    assert.equal(pd.data.birth_date, "1990-02-01");
    assert.equal(pd.data.country_code, "DE");
    const em = validateDocument("email", GOOD.email);
    assert.ok(em.ok);
    assert.equal(em.data.email, "holder@example.org");
  });

  const BAD: [DocumentType, unknown, string][] = [
    ["personal_details", { ...(GOOD.personal_details as object), birth_date: "31.02.1990" }, "birth_date"],
    ["personal_details", { ...(GOOD.personal_details as object), birth_date: "01.01.2999" }, "birth_date"],
    ["personal_details", { ...(GOOD.personal_details as object), gender: "x" }, "gender"],
    ["personal_details", { ...(GOOD.personal_details as object), country_code: "XX" }, "country_code"],
    ["personal_details", { ...(GOOD.personal_details as object), first_name: "  " }, "first_name"],
    ["passport", { document_no: "" }, "document_no"],
    ["passport", { document_no: "1", expiry_date: "2031-13-01" }, "expiry_date"],
    ["passport", { document_no: "1", front_side: { ...scan(1), mime: "text/html" } }, "front_side.mime"],
    ["utility_bill", { files: [] }, "files"],
    ["address", { ...(GOOD.address as object), post_code: "<script>" }, "post_code"],
    ["phone_number", { phone_number: "0151 123" }, "phone_number"],
    ["email", { email: "nope" }, "email"],
  ];
  for (const [type, data, field] of BAD) {
    it(`${type}: names ${field} when it is wrong`, () => {
      const r = validateDocument(type, data);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problems.some((p) => p.field === field), JSON.stringify(!r.ok && r.problems));
    });
  }

  it("normalises phone numbers as people type them to E.164, and refuses invalid ones with a message", () => {
    for (const [typed, stored] of [
      ["+31 6 1234 5678", "+31612345678"],
      ["0031 6-1234-5678", "+31612345678"],
      ["+49 (151) 123 45678", "+4915112345678"],
      ["+1 415-555-2671", "+14155552671"],
    ]) {
      const r = validateDocument("phone_number", { phone_number: typed });
      assert.ok(r.ok, `${typed}: ${JSON.stringify(!r.ok && r.problems)}`);
      assert.equal(r.ok && r.data.phone_number, stored, typed);
    }
    for (const [typed, message] of [
      ["06 1234 5678", /must start with \+ and the country code/],
      ["+31 6 123", /is not a valid phone number/],
      ["+999 1234 5678", /is not a valid phone number/],
      ["call me", /must start with \+/],
    ] as const) {
      const r = validateDocument("phone_number", { phone_number: typed });
      assert.ok(!r.ok && r.problems.some((p) => p.field === "phone_number" && message.test(p.message)), `${typed}: ${JSON.stringify(!r.ok && r.problems)}`);
    }
  });

  it("lists the scan roles per type", () => {
    assert.deepEqual(scanRoles("passport"), ["front_side", "selfie", "translation"]);
    assert.deepEqual(scanRoles("identity_card"), ["front_side", "reverse_side", "selfie", "translation"]);
    assert.deepEqual(scanRoles("utility_bill"), ["file", "translation"]);
    assert.deepEqual(scanRoles("email"), []);
  });

  it("finds every referenced file id, thumbnails included", () => {
    const data = { front_side: { ...scan(1), thumbnailId: "00000000-0000-4000-8000-000000000009" }, translation: [scan(2)] };
    assert.deepEqual(fileIdsOf(data).sort(), [scan(1).id, scan(2).id, "00000000-0000-4000-8000-000000000009"].sort());
  });
});
