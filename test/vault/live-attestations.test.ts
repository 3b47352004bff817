// The browser drops attestations the server would refuse (expired ones, and the unbound JWTs
// issued before the email attestation became an SD-JWT VC) when it re-saves an unchanged email
// item, so the save goes through, unverified.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { liveAttestations } from "../../src/web/vault/email.js";

const jwt = (claims: object) => ["eyJhbGciOiJFUzI1NiJ9", Buffer.from(JSON.stringify(claims)).toString("base64url"), "sig"].join(".");
/** An SD-JWT VC as issued: the issuer JWT, one disclosure, and the closing `~`. */
const sdJwt = (claims: object) => `${jwt(claims)}~WyJzYWx0IiwiZW1haWwiLCJhQGV4YW1wbGUub3JnIl0~`;

describe("liveAttestations (browser)", () => {
  it("keeps unexpired SD-JWT VCs and drops expired, expiry-less, malformed and older unbound ones", () => {
    const now = Date.UTC(2026, 11, 1);
    const live = sdJwt({ exp: now / 1000 + 60, email: "ü@example.org" });
    const expired = sdJwt({ exp: now / 1000 - 1 });
    const noExpiry = sdJwt({ iss: "x" });
    const unbound = jwt({ exp: now / 1000 + 60 });
    assert.deepEqual(liveAttestations([noExpiry, expired, unbound, live, "not a jwt"], now), [live]);
  });
});
