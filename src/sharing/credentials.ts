/**
 * The holder's credentials on the sharing side: open the sealed SD-JWT VCs (with the holder's
 * encryption key), choose the one that answers a request entry or a derived-claims request, and
 * turn it into a presentation for one relying party: only the disclosures it asked for and the
 * holder allowed, a key-binding JWT over its client_id and nonce, and the `verified_claims` entry
 * in the OpenID Connect for Identity Assurance response shape. Isomorphic (consent page, tests).
 */
import { CREDENTIAL_TYP, inspectCredential, openJson, presentCredential, type CredentialSummary } from "../credentials/index.js";
import { IDENTITY_DOCUMENTS } from "../documents/types.js";
import type { ShareRequest } from "./request.js";
import type { DerivedClaim } from "./scopes.js";
import { credentialFor, unmet, type HeldCredential } from "./verified.js";
import type { VerificationConstraint } from "./verification-request.js";

/** A credential opened in the holder's browser: its metadata, the SD-JWT VC and what it says. */
export interface OpenedCredential {
  meta: HeldCredential;
  sdJwt: string;
  summary: CredentialSummary;
}

/** The `verified_claims` element of a response (OIDC4IDA section 5): the verification and the claims it covers. */
export interface VerifiedClaims {
  verification: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** What a verified item (or the derived claims) carries in the payload. */
export interface Presented {
  credential: string;
  verified_claims: VerifiedClaims;
}

/** The sealed JSON holds the SD-JWT itself (or an object naming it). */
function sdJwtOf(opened: unknown): string {
  if (typeof opened === "string") return opened;
  const o = opened as { credential?: unknown; sdJwt?: unknown } | null;
  const s = o?.credential ?? o?.sdJwt;
  if (typeof s !== "string") throw new Error("the sealed credential holds no SD-JWT");
  return s;
}

/** Opens each credential; one that does not open is left out (and reported), never fatal for the others. */
export async function openCredentials(encryptionKey: CryptoKey, metas: HeldCredential[]): Promise<{ opened: OpenedCredential[]; failed: { meta: HeldCredential; error: string }[] }> {
  const opened: OpenedCredential[] = [];
  const failed: { meta: HeldCredential; error: string }[] = [];
  await Promise.all(
    metas.map(async (meta) => {
      try {
        const sdJwt = sdJwtOf(await openJson(encryptionKey, meta.sealed, CREDENTIAL_TYP));
        opened.push({ meta, sdJwt, summary: await inspectCredential(sdJwt) });
      } catch (err) {
        failed.push({ meta, error: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  return { opened, failed };
}

/** The opened credential that answers an item of `type` to the standard, or null. */
export function openedFor(type: string, opened: OpenedCredential[], constraint: VerificationConstraint | null, now: number, item?: { id: string; version: number }): OpenedCredential | null {
  const meta = credentialFor(type, opened.map((o) => o.meta), constraint, now, item);
  return meta ? opened.find((o) => o.meta.id === meta.id)! : null;
}

/** Identity-proving types in the order a derived request prefers them: personal details carry ages and nationality. */
const DERIVED_SOURCES = ["personal_details", ...IDENTITY_DOCUMENTS] as string[];

/**
 * The credential that answers a derived-claims request: one meeting the standard, about a
 * person's identity, carrying every required derived claim, and among those the one carrying
 * most of the optional ones. Null when none does.
 */
export function derivedCredential(request: ShareRequest, opened: OpenedCredential[], now: number): OpenedCredential | null {
  if (!request.derived) return null;
  const wanted = Object.entries(request.derived.claims) as [DerivedClaim, string][];
  const required = wanted.filter(([, w]) => w === "required").map(([n]) => n);
  const optional = wanted.filter(([, w]) => w === "optional").map(([n]) => n);
  const fits = opened.filter(
    (o) => DERIVED_SOURCES.includes(o.meta.type) && unmet(o.meta, request.verification, now) === null && required.every((n) => o.summary.claimNames.includes(n)),
  );
  const score = (o: OpenedCredential) => optional.filter((n) => o.summary.claimNames.includes(n)).length * 100 - DERIVED_SOURCES.indexOf(o.meta.type);
  fits.sort((a, b) => score(b) - score(a));
  return fits[0] ?? null;
}

/** Derived claims of a request that `c` can give (all requested ones it carries). */
export function derivedClaimsOf(request: ShareRequest, c: OpenedCredential): DerivedClaim[] {
  return (Object.keys(request.derived?.claims ?? {}) as DerivedClaim[]).filter((n) => c.summary.claimNames.includes(n));
}

/**
 * The verification without the evidence details that repeat a document field not disclosed (the
 * passport number must not travel with an "over 18" claim); the credential hides them the same way.
 */
export function publicVerification(verification: Record<string, unknown> | undefined, disclosed: readonly string[]): Record<string, unknown> {
  const v = structuredClone(verification ?? {}) as { evidence?: { document_details?: Record<string, unknown> }[] };
  const keep = { document_number: "document_no", date_of_expiry: "expiry_date" } as const;
  for (const e of Array.isArray(v.evidence) ? v.evidence : []) {
    const d = e?.document_details;
    if (!d) continue;
    for (const [detail, field] of Object.entries(keep)) if (!disclosed.includes(field)) delete d[detail];
  }
  return v as Record<string, unknown>;
}

/** A presentation of `c` disclosing `names` (those it carries), bound to the relying party's aud and nonce. */
export async function present(c: OpenedCredential, names: readonly string[], holderSigningKey: CryptoKey, o: { aud: string; nonce: string; iat: number }): Promise<Presented> {
  const disclosed = names.filter((n) => c.summary.claimNames.includes(n));
  const credential = await presentCredential(c.sdJwt, disclosed, holderSigningKey, o);
  return {
    credential,
    verified_claims: {
      verification: publicVerification(c.summary.verification as Record<string, unknown> | undefined, disclosed),
      claims: Object.fromEntries(disclosed.map((n) => [n, c.summary.claims[n]])),
    },
  };
}
