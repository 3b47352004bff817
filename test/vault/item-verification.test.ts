// The one state a vault item shows with verifiers (src/web/vault/verification.ts): a waiting
// submission wins, then the newer of the last credential and the last rejection; withdrawn
// submissions count as never made; a credential for an older version no longer verifies the item.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { itemVerification, reasonTarget, saveDropsVerification, type CredentialView, type SubmissionView } from "../../src/web/vault/verification.js";

const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 1);
const item = { id: "item-1", type: "passport", version: 3 };
const verifier = { slug: "kyc", name: "KYC desk", issuer: "https://p.example/verifiers/kyc", trust_framework: "eidas", assurance_level: "high" };

function submission(over: Partial<SubmissionView>): SubmissionView {
  return { id: "s", verifier, items: [{ itemId: item.id, type: item.type, version: item.version }], state: "submitted", reasons: [], createdAt: now - 5 * DAY, updatedAt: now - 5 * DAY, ...over };
}

function credential(over: Partial<CredentialView>): CredentialView {
  return { id: "c", itemId: item.id, itemVersion: item.version, type: item.type, verifier, verification: {}, sealed: "jwe", issuedAt: now - 4 * DAY, expiresAt: now + 300 * DAY, revoked: false, current: true, ...over };
}

describe("itemVerification (browser)", () => {
  it("is none without submissions and credentials, and for other items' records", () => {
    assert.equal(itemVerification(item, [], [], now).kind, "none");
    const other = submission({ items: [{ itemId: "item-2", type: "address", version: 1 }] });
    assert.equal(itemVerification(item, [other], [credential({ itemId: "item-2" })], now).kind, "none");
  });

  it("shows a waiting submission, even over an older credential; a withdrawn one is ignored", () => {
    const s = itemVerification(item, [submission({ createdAt: now - DAY })], [credential({})], now);
    assert.equal(s.kind, "submitted");
    assert.ok(saveDropsVerification(s));
    assert.equal(itemVerification(item, [submission({ state: "withdrawn" })], [], now).kind, "none");
    // Changed after it was sent: still waiting, but a save no longer loses anything.
    const stale = itemVerification({ ...item, version: 4 }, [submission({})], [], now);
    assert.ok(stale.kind === "submitted" && stale.outdated);
    assert.equal(saveDropsVerification(stale), false);
  });

  it("approved, expired, revoked and changed-since follow the newest credential", () => {
    const approved = itemVerification(item, [submission({ state: "approved" })], [credential({})], now);
    assert.equal(approved.kind, "approved");
    assert.ok(saveDropsVerification(approved));
    assert.equal(itemVerification(item, [], [credential({ expiresAt: now - 1 })], now).kind, "expired");
    assert.equal(itemVerification(item, [], [credential({ revoked: true })], now).kind, "revoked");
    assert.equal(itemVerification(item, [], [credential({ current: false, itemVersion: 2 })], now).kind, "changed");
    // An old revoked credential does not hide a newer valid one.
    assert.equal(itemVerification(item, [], [credential({ id: "old", revoked: true, issuedAt: now - 90 * DAY }), credential({})], now).kind, "approved");
  });

  it("a rejection newer than the credential shows with this item's reasons; one for an older version is outdated", () => {
    const reasons = [
      { itemType: "passport", kind: "data", field: "document_no", message: "does not match the scan" },
      { itemType: "personal_details", kind: "data", field: "birth_date", message: "differs from the passport" },
    ];
    const rejected = submission({ state: "rejected", reasons, decidedAt: now - DAY, updatedAt: now - DAY });
    const s = itemVerification(item, [rejected], [credential({ issuedAt: now - 30 * DAY })], now);
    assert.equal(s.kind, "rejected");
    assert.ok(s.kind === "rejected" && !s.outdated);
    assert.deepEqual(s.kind === "rejected" && s.reasons.map((r) => r.field), ["document_no"]);
    assert.equal(saveDropsVerification(s), false);
    const old = itemVerification({ ...item, version: 4 }, [rejected], [], now);
    assert.ok(old.kind === "rejected" && old.outdated);
    // A credential issued after the rejection (submitted again, approved) wins.
    assert.equal(itemVerification(item, [rejected], [credential({ issuedAt: now })], now).kind, "approved");
  });

  it("places each reason beside its field, or its scan slot by kind", () => {
    assert.equal(reasonTarget({ itemType: "passport", kind: "data", field: "expiry_date", message: "m" }), "expiry_date");
    assert.equal(reasonTarget({ itemType: "passport", kind: "selfie", message: "m" }), "selfie");
    assert.equal(reasonTarget({ itemType: "utility_bill", kind: "file", message: "m" }), "files");
    assert.equal(reasonTarget({ itemType: "passport", kind: "translation_files", message: "m" }), "translation");
    assert.equal(reasonTarget({ itemType: "passport", kind: "unspecified", message: "m" }), null);
  });
});
