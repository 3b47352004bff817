/**
 * Passport's own email attestation on the sharing side. Unlike a verifier's credential (sealed to
 * the holder, listed by GET /api/vault/credentials), it lives in the email item's `attestations`,
 * sealed under the vault key with the item. This turns it into the same OpenedCredential the
 * consent page and the payload composer use for verifiers' credentials, so it is chosen against
 * the request's standard and presented the same way: only the disclosures asked for, and a
 * key-binding JWT over the relying party's client_id and nonce. Isomorphic.
 */
import { inspectCredential } from "../credentials/index.js";
import type { OpenedCredential } from "./credentials.js";
import type { HeldCredential } from "./verified.js";

/** The trust framework of Passport's own email check: a one-time code mailed to the address. */
export const EMAIL_TRUST_FRAMEWORK = "passport_email";

/** The SD-JWT VCs among an item's attestations (compact JWTs of the unbound, older kind are not). */
export const sdJwtAttestations = (data: Record<string, unknown>): string[] =>
  Array.isArray(data.attestations) ? (data.attestations as unknown[]).filter((a): a is string => typeof a === "string" && a.includes("~")) : [];

/**
 * The email item's credential, when it holds one Passport (`issuer`) issued for the address it
 * says and the server marks the item verified (it checked the credential when the item was saved,
 * and marks it unverified once changed). Null otherwise.
 */
export async function emailCredentialOf(
  item: { id: string; type: string; version: number; verification?: string },
  data: Record<string, unknown> | null,
  issuer: string,
): Promise<OpenedCredential | null> {
  if (item.type !== "email" || !data || item.verification !== "verified") return null;
  const sdJwt = sdJwtAttestations(data).at(-1);
  if (!sdJwt) return null;
  let summary;
  try {
    summary = await inspectCredential(sdJwt);
  } catch {
    return null;
  }
  if (summary.iss !== issuer || summary.claims.email !== data.email || !summary.verification) return null;
  const meta: HeldCredential = {
    id: `passport-email:${item.id}:${item.version}`,
    itemId: item.id,
    itemVersion: item.version,
    type: "email",
    verifier: { slug: "passport", name: "Passport", issuer, trust_framework: EMAIL_TRUST_FRAMEWORK, assurance_level: null },
    verification: summary.verification as HeldCredential["verification"],
    sealed: "",
    issuedAt: (summary.iat ?? 0) * 1000,
    expiresAt: summary.exp !== undefined ? summary.exp * 1000 : null,
    revoked: false,
    current: true,
  };
  return { meta, sdJwt, summary };
}
