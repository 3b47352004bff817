// Client secrets are kept only as hashes. Passport generates every secret (32 random bytes), so a
// plain SHA-256 is enough: a 256-bit preimage cannot be searched, and a slow or keyed hash only
// helps secrets a person chose. The hash stands in for the secret in the metadata oidc-provider
// reads, and oidc-provider's secret comparison is replaced by `verifyClientSecret` (provider.ts).
import crypto from "node:crypto";

const PREFIX = "sha256:";

export function newClientSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

// crypto.hash: one call, no Hash object; a few times faster than createHash for a short string,
// and a client secret is checked on every token and introspection request.
const sha256 = (s: string) => crypto.hash("sha256", s, "base64url");

export function hashClientSecret(secret: string): string {
  return PREFIX + sha256(secret);
}

export function isClientSecretHash(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** Constant-time check of a presented secret against a stored hash; anything else is false. */
export function verifyClientSecret(stored: unknown, presented: unknown): boolean {
  if (!isClientSecretHash(stored) || typeof presented !== "string") return false;
  const expected = Buffer.from(stored.slice(PREFIX.length), "latin1");
  const actual = Buffer.from(sha256(presented), "latin1");
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}
