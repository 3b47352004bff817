/**
 * Verifying an SD-JWT VC presentation (SD-JWT+KB) the way a relying party must, step by step, each
 * failure with its own reason:
 *
 *   1 parse                         malformed
 *   2 issuer key by iss + kid       unknown_key         (the keys callback answers null or fails)
 *   3 issuer signature (ES256)      bad_signature
 *   4 disclosures                   extra_disclosure    a disclosure twice, or one the holder's key
 *                                                       binding did not cover (appended afterwards;
 *                                                       also told apart from kb_sd_hash in step 6)
 *                                   tampered_disclosure a disclosure whose digest the signed payload
 *                                                       does not reference (altered or foreign)
 *   5 exp                           expired
 *   6 key binding                   kb_missing, kb_bad_signature (not the cnf key, or not kb+jwt),
 *                                   kb_wrong_audience, kb_wrong_nonce, kb_sd_hash, kb_stale
 *   7 status list                   status_unavailable (not fetched, not signed by the issuer, other
 *                                   list, index outside), revoked
 *
 * Disclosures come before key binding so that a disclosure changed by the holder (who then signs
 * a KB-JWT over it) and one changed on the way (which also breaks sd_hash) both say
 * tampered_disclosure: the more precise reason wins.
 */
import { compactVerify, decodeProtectedHeader, type JWK } from "jose";
import { toSeconds, b64uJson, sha256B64u } from "./encoding.js";
import { importVerifyKey, SIGNING_ALG } from "./keys.js";
import { MalformedSdJwt, parseSdJwt, subjectClaims, unpack, SD_SEPARATOR, SD_JWT_VC_TYP, type ParsedSdJwt } from "./sd-jwt.js";
import { readStatusListToken } from "./status-list.js";
import type { Verification } from "./claims.js";

export const VERIFY_REASONS = [
  "bad_signature",
  "unknown_key",
  "tampered_disclosure",
  "extra_disclosure",
  "kb_missing",
  "kb_bad_signature",
  "kb_wrong_audience",
  "kb_wrong_nonce",
  "kb_sd_hash",
  "kb_stale",
  "expired",
  "revoked",
  "status_unavailable",
  "malformed",
] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

export interface VerifyOptions {
  /** The relying party's client id, as the KB-JWT's `aud` must name it. */
  aud: string;
  nonce: string;
  /** How old the KB-JWT may be (default 300 s); 60 s of clock skew are allowed into the future. */
  maxAgeSeconds?: number;
  /** Seconds, milliseconds or a Date; default now. */
  now?: number | Date;
  /** The issuer's public key for this kid, or null when unknown. */
  keys: (iss: string, kid: string | undefined) => Promise<JWK | null>;
  /** The status list token at this URI. */
  status: (uri: string) => Promise<string>;
}

export interface VerifyResult {
  verified: boolean;
  reason?: VerifyReason;
  /** A sentence for logs and developers. */
  message?: string;
  /** The disclosed claims (trust them only when `verified`). */
  claims: Record<string, unknown>;
  verification?: Verification;
  iss?: string;
  vct?: string;
  iat?: number;
  exp?: number;
  status?: { status_list?: { idx: number; uri: string } };
}

const SKEW = 60;
const TYPS = new Set([SD_JWT_VC_TYP, "vc+sd-jwt"]);

class Fail extends Error {
  constructor(
    readonly reason: VerifyReason,
    message: string,
  ) {
    super(message);
  }
}

/** sd_hash over the presentation without the disclosures at `skip`. */
function boundWithout(p: ParsedSdJwt, skip: Set<number>): string {
  return [p.jwt, ...p.disclosures.filter((_, i) => !skip.has(i)).map((d) => d.encoded)].join(SD_SEPARATOR) + SD_SEPARATOR;
}

/**
 * Whether the holder bound this presentation minus some disclosures: one of them left out, or the
 * last few (what appending signed disclosures of the same credential looks like). Bounded work:
 * 2n hashes for n disclosures.
 */
async function boundBeforeAdditions(p: ParsedSdJwt, sdHash: unknown): Promise<boolean> {
  if (typeof sdHash !== "string") return false;
  const n = p.disclosures.length;
  for (let i = 0; i < n; i++) {
    if ((await sha256B64u(boundWithout(p, new Set([i])))) === sdHash) return true;
    const tail = new Set(Array.from({ length: n - i }, (_, k) => i + k));
    if (tail.size > 1 && (await sha256B64u(boundWithout(p, tail))) === sdHash) return true;
  }
  return false;
}

function kbSdHash(kbJwt: string | undefined): string | undefined {
  if (!kbJwt) return undefined;
  try {
    const p = b64uJson<Record<string, unknown>>(kbJwt.split(".")[1]!);
    return typeof p?.sd_hash === "string" ? p.sd_hash : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyPresentation(presentation: string, o: VerifyOptions): Promise<VerifyResult> {
  const result: VerifyResult = { verified: false, claims: {} };
  try {
    await run(presentation, o, result);
    result.verified = true;
  } catch (err) {
    if (err instanceof Fail) {
      result.reason = err.reason;
      result.message = err.message;
    } else if (err instanceof MalformedSdJwt) {
      result.reason = "malformed";
      result.message = err.message;
    } else {
      result.reason = "malformed";
      result.message = (err as Error)?.message ?? String(err);
    }
  }
  return result;
}

async function run(presentation: string, o: VerifyOptions, out: VerifyResult): Promise<void> {
  const now = toSeconds(o.now);
  // 1 parse
  const p = await parseSdJwt(presentation);
  const { header, payload } = p;
  if (header.alg !== SIGNING_ALG) throw new Fail("malformed", `the issuer JWT is signed with ${String(header.alg)}, not ${SIGNING_ALG}`);
  if (!TYPS.has(header.typ as string)) throw new Fail("malformed", `the issuer JWT's typ is ${String(header.typ)}, not ${SD_JWT_VC_TYP}`);
  if (payload._sd_alg !== undefined && payload._sd_alg !== "sha-256") throw new Fail("malformed", `unsupported _sd_alg ${String(payload._sd_alg)}`);
  if (typeof payload.iss !== "string" || typeof payload.vct !== "string") throw new Fail("malformed", "the issuer JWT lacks iss or vct");
  out.iss = payload.iss;
  out.vct = payload.vct;
  out.iat = typeof payload.iat === "number" ? payload.iat : undefined;
  out.exp = typeof payload.exp === "number" ? payload.exp : undefined;
  out.status = payload.status as VerifyResult["status"];

  // 2 issuer key
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  let jwk: JWK | null;
  try {
    jwk = await o.keys(payload.iss, kid);
  } catch (err) {
    throw new Fail("unknown_key", `the keys of ${payload.iss} could not be resolved: ${(err as Error).message}`);
  }
  if (!jwk) throw new Fail("unknown_key", `${payload.iss} publishes no key ${kid ?? "(no kid)"}`);

  // 3 issuer signature
  try {
    await compactVerify(p.jwt, await importVerifyKey(jwk), { algorithms: [SIGNING_ALG] });
  } catch {
    throw new Fail("bad_signature", "the issuer's signature does not verify with its published key");
  }

  // 4 disclosures
  const digests = p.disclosures.map((d) => d.digest);
  if (new Set(digests).size !== digests.length) throw new Fail("extra_disclosure", "a disclosure appears more than once");
  const { claims, used, problems } = unpack(payload, p.disclosures);
  out.claims = subjectClaims(claims);
  out.verification = claims.verification as Verification | undefined;
  if (problems.length) {
    const kind = problems[0]!.kind;
    throw new Fail(kind === "wrong_kind" ? "tampered_disclosure" : "extra_disclosure", kind === "duplicate_digest" ? "the signed payload references a digest twice" : kind === "overrides_claim" ? "a disclosure would override a claim the issuer signed in the clear" : "a disclosure is of the wrong kind for where its digest sits");
  }
  const unreferenced = p.disclosures.map((d, i) => (used.has(d.digest) ? -1 : i)).filter((i) => i >= 0);
  if (unreferenced.length) {
    // If the key binding covered the presentation without them, they were added afterwards.
    const signedHash = kbSdHash(p.kbJwt);
    if (signedHash && (await sha256B64u(boundWithout(p, new Set(unreferenced)))) === signedHash) {
      throw new Fail("extra_disclosure", "the presentation carries a disclosure the holder's key binding does not cover");
    }
    throw new Fail("tampered_disclosure", "a disclosure's digest is not among those the issuer signed");
  }

  // 5 expiry
  if (typeof payload.exp !== "number") throw new Fail("malformed", "the attestation has no exp");
  if (payload.exp <= now - SKEW) throw new Fail("expired", `the attestation expired at ${new Date(payload.exp * 1000).toISOString()}`);
  if (typeof payload.nbf === "number" && payload.nbf > now + SKEW) throw new Fail("malformed", "the attestation is not valid yet");

  // 6 key binding
  if (!p.kbJwt) throw new Fail("kb_missing", "the presentation has no key-binding JWT");
  const cnf = (payload.cnf as { jwk?: JWK } | undefined)?.jwk;
  if (!cnf) throw new Fail("malformed", "the attestation is not bound to a holder key (no cnf.jwk)");
  let kbHeader: Record<string, unknown>;
  let kb: Record<string, unknown>;
  try {
    kbHeader = decodeProtectedHeader(p.kbJwt) as Record<string, unknown>;
    const r = await compactVerify(p.kbJwt, await importVerifyKey(cnf), { algorithms: [SIGNING_ALG] });
    kb = JSON.parse(new TextDecoder().decode(r.payload)) as Record<string, unknown>;
  } catch {
    throw new Fail("kb_bad_signature", "the key-binding JWT is not signed by the holder key the attestation names");
  }
  if (kbHeader.typ !== "kb+jwt") throw new Fail("kb_bad_signature", "the key-binding JWT's typ is not kb+jwt");
  if (kb.aud !== o.aud) throw new Fail("kb_wrong_audience", `the key-binding JWT is for ${String(kb.aud)}, not ${o.aud}`);
  if (kb.nonce !== o.nonce) throw new Fail("kb_wrong_nonce", "the key-binding JWT's nonce is not this request's");
  if (kb.sd_hash !== (await sha256B64u(p.boundPart))) {
    if (await boundBeforeAdditions(p, kb.sd_hash)) throw new Fail("extra_disclosure", "the presentation carries disclosures the holder's key binding does not cover");
    throw new Fail("kb_sd_hash", "the key-binding JWT's sd_hash does not match the presentation");
  }
  const maxAge = o.maxAgeSeconds ?? 300;
  if (typeof kb.iat !== "number" || kb.iat > now + SKEW || kb.iat < now - maxAge) throw new Fail("kb_stale", `the key-binding JWT was made outside the last ${maxAge} s`);

  // 7 status
  const ref = (payload.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
  if (ref) {
    if (typeof ref.uri !== "string" || !Number.isInteger(ref.idx)) throw new Fail("malformed", "the attestation's status entry is malformed");
    let token: string;
    try {
      token = await o.status(ref.uri);
    } catch (err) {
      throw new Fail("status_unavailable", `the status list ${ref.uri} could not be fetched: ${(err as Error).message}`);
    }
    let revoked: boolean;
    try {
      const list = readStatusListToken(token);
      if (list.uri !== ref.uri) throw new Error(`the token is for ${list.uri}`);
      if (list.iss !== undefined && list.iss !== payload.iss) throw new Error(`the token was issued by ${list.iss}`);
      if (list.exp !== undefined && list.exp <= now - SKEW) throw new Error("the token has expired");
      const listKey = await o.keys(payload.iss, list.kid);
      if (!listKey) throw new Error(`${payload.iss} publishes no key ${list.kid ?? "(no kid)"}`);
      await compactVerify(token, await importVerifyKey(listKey), { algorithms: [SIGNING_ALG] });
      revoked = list.isRevoked(ref.idx as number);
    } catch (err) {
      throw new Fail("status_unavailable", `the status list ${ref.uri} is not usable: ${(err as Error).message}`);
    }
    if (revoked) throw new Fail("revoked", "the issuer has revoked this attestation");
  }
}
