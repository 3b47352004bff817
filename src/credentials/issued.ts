/**
 * Checking an SD-JWT VC as issued (no key-binding JWT): what an issuer does when its own credential
 * comes back to it (Passport, before it marks an email item verified). The same steps as
 * verifyPresentation's 1 to 5 (parse, issuer key, signature, disclosures, expiry), with the same
 * reasons; key binding and status are the caller's business (it knows the holder and the list).
 */
import { compactVerify, type JWK } from "jose";
import { toSeconds } from "./encoding.js";
import { importVerifyKey, SIGNING_ALG } from "./keys.js";
import { MalformedSdJwt, parseSdJwt, subjectClaims, unpack, SD_JWT_VC_TYP } from "./sd-jwt.js";
import type { VerifyReason } from "./verify.js";

export type IssuedCheck =
  | { ok: true; payload: Record<string, unknown>; claims: Record<string, unknown> }
  | { ok: false; reason: VerifyReason; message: string };

export async function verifyIssuedCredential(sdJwt: string, o: { keys: (iss: string, kid: string | undefined) => Promise<JWK | null>; now?: number | Date }): Promise<IssuedCheck> {
  const fail = (reason: VerifyReason, message: string): IssuedCheck => ({ ok: false, reason, message });
  let p;
  try {
    p = await parseSdJwt(sdJwt);
  } catch (err) {
    return fail("malformed", err instanceof MalformedSdJwt ? err.message : "not an SD-JWT");
  }
  const { header, payload } = p;
  if (p.kbJwt) return fail("malformed", "an issued credential carries no key-binding JWT");
  if (header.alg !== SIGNING_ALG || header.typ !== SD_JWT_VC_TYP) return fail("malformed", `not a ${SD_JWT_VC_TYP} signed with ${SIGNING_ALG}`);
  if (typeof payload.iss !== "string" || typeof payload.vct !== "string") return fail("malformed", "no iss or vct");
  const jwk = await o.keys(payload.iss, typeof header.kid === "string" ? header.kid : undefined).catch(() => null);
  if (!jwk) return fail("unknown_key", `${payload.iss} has no key ${String(header.kid)}`);
  try {
    await compactVerify(p.jwt, await importVerifyKey(jwk), { algorithms: [SIGNING_ALG] });
  } catch {
    return fail("bad_signature", "the issuer's signature does not verify");
  }
  const digests = p.disclosures.map((d) => d.digest);
  const { claims, used, problems } = unpack(payload, p.disclosures);
  if (new Set(digests).size !== digests.length || problems.length) return fail("tampered_disclosure", "a disclosure is repeated or out of place");
  if (p.disclosures.some((d) => !used.has(d.digest))) return fail("tampered_disclosure", "a disclosure's digest is not among those the issuer signed");
  if (typeof payload.exp !== "number") return fail("malformed", "no exp");
  if (payload.exp <= toSeconds(o.now)) return fail("expired", `expired at ${new Date(payload.exp * 1000).toISOString()}`);
  return { ok: true, payload, claims: subjectClaims(claims) };
}
