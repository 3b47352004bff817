// Client secrets are kept only as hashes. Passport generates every secret (32 random bytes), so a
// plain SHA-256 is enough: a 256-bit preimage cannot be searched, and a slow or keyed hash only
// helps secrets a person chose. The hash stands in for the secret in the metadata oidc-provider
// reads, and oidc-provider's secret comparison is replaced by `verifyClientSecret` (provider.ts).
import crypto from "node:crypto";

const PREFIX = "sha256:";

export function newClientSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

export function hashClientSecret(secret: string): string {
  return PREFIX + crypto.createHash("sha256").update(secret, "utf8").digest("base64url");
}

export function isClientSecretHash(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** Constant-time check of a presented secret against a stored hash; anything else is false. */
export function verifyClientSecret(stored: unknown, presented: unknown): boolean {
  if (!isClientSecretHash(stored) || typeof presented !== "string") return false;
  const expected = Buffer.from(stored.slice(PREFIX.length), "base64url");
  const actual = crypto.createHash("sha256").update(presented, "utf8").digest();
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}
