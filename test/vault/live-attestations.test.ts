// The browser drops attestations the server would refuse (expired, or issued before they had an
// expiry) when it re-saves an unchanged email item, so the save goes through, unverified.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { liveAttestations } from "../../src/web/vault/email.js";

const jwt = (claims: object) => ["eyJhbGciOiJFUzI1NiJ9", Buffer.from(JSON.stringify(claims)).toString("base64url"), "sig"].join(".");

describe("liveAttestations (browser)", () => {
  it("keeps unexpired attestations and drops expired, expiry-less and malformed ones", () => {
    const now = Date.UTC(2026, 11, 1);
    const live = jwt({ exp: now / 1000 + 60, email: "ü@example.org" });
    const expired = jwt({ exp: now / 1000 - 1 });
    const legacy = jwt({ iss: "x" });
    assert.deepEqual(liveAttestations([legacy, expired, live, "not a jwt"], now), [live]);
  });
});
