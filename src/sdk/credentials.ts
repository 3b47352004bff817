/**
 * Checking the attestations in an opened payload: every `data.<type>.credential` and the
 * `derived.credential` (SD-JWT VC + key-binding JWT) is verified against its issuer's keys,
 * published as SD-JWT VC issuer metadata (`<origin>/.well-known/jwt-vc-issuer<issuer path>`) or
 * pinned by the relying party, with the key binding over this client's id and nonce, expiry, and
 * the issuer's Token Status List. Each item and each claim is reported verified or not, with why.
 *
 *   const report = await verifyCredentials(passport, { issuer, clientId, nonce });
 *   report.items.find((i) => i.item === "derived")?.claims.age_over_18?.verified
 *
 * Which issuers are trusted: the verifiers of the Passport server (`<issuer>/verifiers/<slug>`,
 * whose metadata that server publishes), issuers named in `trustedIssuers` (their metadata is
 * fetched from their own domain), and issuers with `pinnedKeys` (nothing is fetched for keys).
 * Any other issuer is `unknown_key`, and nothing is fetched from it.
 */
import type { JWK } from "jose";
import { verifyPresentation, type VerifyReason } from "../credentials/verify.js";
import { typeOfVct, type Verification } from "../credentials/claims.js";
import type { PassportPayload } from "../sharing/payload.js";

export interface VerifyCredentialsOptions {
  /** The Passport server's issuer URL. */
  issuer: string;
  /** This relying party's client_id: the key-binding JWTs' `aud`. */
  clientId: string;
  /** The nonce of this authorization request: the key-binding JWTs' `nonce`. */
  nonce: string;
  /** Keys per issuer URL, used instead of fetching metadata (a verifier trusted out of band). */
  pinnedKeys?: Record<string, JWK[] | { keys: JWK[] }>;
  /** Issuers outside the Passport server whose published metadata is trusted. */
  trustedIssuers?: string[];
  fetch?: typeof fetch;
  /** How old a key-binding JWT may be, in seconds (default 600, like the payload). */
  maxAgeSeconds?: number;
  now?: () => number;
}

/** Why a claim or an item is not verified: verifyPresentation's reasons, and the SDK's own. */
export type CredentialReason =
  | VerifyReason
  /** The item came without an attestation (self-asserted). */
  | "not_attested"
  /** The attestation does not disclose this claim. */
  | "not_disclosed"
  /** The item's field or verified_claims says something else than the attestation. */
  | "mismatch"
  /** The attestation is for another document type than the item it came with. */
  | "wrong_type";

export interface ClaimCheck {
  verified: boolean;
  reason?: CredentialReason;
  /** The attested value when verified, else the value the payload carried. */
  value: unknown;
}

export interface CredentialCheck {
  /** The document type, or "derived" for the derived-claims answer. */
  item: string;
  verified: boolean;
  reason?: CredentialReason;
  message?: string;
  iss?: string;
  vct?: string;
  /** Seconds since the epoch. */
  exp?: number;
  /** The attested OIDC4IDA verification (only from a verified attestation). */
  verification?: Verification;
  claims: Record<string, ClaimCheck>;
}

export interface CredentialsReport {
  /** Every item and the derived answer verified, with every claim. */
  verified: boolean;
  items: CredentialCheck[];
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `<origin>/.well-known/jwt-vc-issuer<path>` for an issuer URL (SD-JWT VC issuer metadata). */
export function issuerMetadataUrl(iss: string): string {
  const u = new URL(iss);
  const path = u.pathname.replace(/\/+$/, "");
  return `${u.origin}/.well-known/jwt-vc-issuer${path}`;
}

function keyResolver(o: VerifyCredentialsOptions, fetchImpl: typeof fetch) {
  const base = o.issuer.replace(/\/+$/, "");
  const trusted = new Set((o.trustedIssuers ?? []).map((i) => i.replace(/\/+$/, "")));
  const cache = new Map<string, Promise<JWK[]>>();
  const pinned = (iss: string): JWK[] | null => {
    const p = o.pinnedKeys?.[iss] ?? o.pinnedKeys?.[iss.replace(/\/+$/, "")];
    if (!p) return null;
    return Array.isArray(p) ? p : p.keys;
  };
  const fetchKeys = async (iss: string): Promise<JWK[]> => {
    const res = await fetchImpl(issuerMetadataUrl(iss), { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`issuer metadata answered HTTP ${res.status}`);
    const meta = (await res.json()) as { issuer?: string; jwks?: { keys?: JWK[] }; jwks_uri?: string };
    if (meta.issuer !== iss) throw new Error(`issuer metadata names ${meta.issuer}, not ${iss}`);
    if (meta.jwks?.keys) return meta.jwks.keys;
    if (meta.jwks_uri) {
      const jwksUrl = new URL(meta.jwks_uri);
      if (jwksUrl.origin !== new URL(iss).origin) throw new Error("jwks_uri is on another origin than the issuer");
      const r = await fetchImpl(jwksUrl, { headers: { accept: "application/json" } });
      if (!r.ok) throw new Error(`jwks_uri answered HTTP ${r.status}`);
      return ((await r.json()) as { keys?: JWK[] }).keys ?? [];
    }
    return [];
  };
  return async (iss: string, kid: string | undefined): Promise<JWK | null> => {
    let keys = pinned(iss);
    if (!keys) {
      const ours = iss.startsWith(`${base}/verifiers/`) && !iss.slice(base.length + "/verifiers/".length).includes("/");
      if (!ours && !trusted.has(iss.replace(/\/+$/, ""))) return null;
      if (!cache.has(iss)) cache.set(iss, fetchKeys(iss));
      keys = await cache.get(iss)!;
    }
    const candidates = keys.filter((k) => k.kty === "EC" && k.crv === "P-256" && k.use !== "enc");
    return candidates.find((k) => (kid ? k.kid === kid : true)) ?? null;
  };
}

function statusFetcher(fetchImpl: typeof fetch) {
  const cache = new Map<string, Promise<string>>();
  const get = async (uri: string) => {
    const u = new URL(uri);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("the status list URI is not http(s)");
    const res = await fetchImpl(uri, { headers: { accept: "application/statuslist+jwt" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.text()).trim();
  };
  return (uri: string) => {
    if (!cache.has(uri)) cache.set(uri, get(uri));
    return cache.get(uri)!;
  };
}

/** Verifies every attestation in an opened payload and reports each item and claim. */
export async function verifyCredentials(payload: PassportPayload, o: VerifyCredentialsOptions): Promise<CredentialsReport> {
  const fetchImpl = o.fetch ?? fetch;
  const keys = keyResolver(o, fetchImpl);
  const status = statusFetcher(fetchImpl);
  const now = o.now?.() ?? Date.now();

  const check = async (item: string, credential: string | undefined, carried: Record<string, unknown>): Promise<CredentialCheck> => {
    if (!credential) {
      const claims = Object.fromEntries(Object.entries(carried).map(([k, v]) => [k, { verified: false, reason: "not_attested" as const, value: v }]));
      return { item, verified: false, reason: "not_attested", message: "this item carries no attestation", claims };
    }
    const r = await verifyPresentation(credential, { aud: o.clientId, nonce: o.nonce, maxAgeSeconds: o.maxAgeSeconds ?? 600, now, keys, status });
    const out: CredentialCheck = { item, verified: r.verified, reason: r.reason, message: r.message, iss: r.iss, vct: r.vct, exp: r.exp, claims: {} };
    if (r.verified && item !== "derived" && typeOfVct(r.vct ?? "") !== item) {
      out.verified = false;
      out.reason = "wrong_type";
      out.message = `the attestation is a ${r.vct}, not a ${item}`;
    }
    if (!out.verified) {
      for (const name of new Set([...Object.keys(carried), ...Object.keys(r.claims)])) out.claims[name] = { verified: false, reason: out.reason, value: carried[name] ?? r.claims[name] };
      return out;
    }
    out.verification = r.verification;
    for (const [name, value] of Object.entries(r.claims)) out.claims[name] = { verified: true, value };
    for (const [name, value] of Object.entries(carried)) {
      if (!(name in r.claims)) out.claims[name] = { verified: false, reason: "not_disclosed", value };
      else if (!sameValue(value, r.claims[name])) {
        out.claims[name] = { verified: false, reason: "mismatch", value };
        out.verified = false;
        out.reason = "mismatch";
        out.message = `${name} differs from what the attestation says`;
      }
    }
    return out;
  };

  const jobs: Promise<CredentialCheck>[] = [];
  for (const [type, doc] of Object.entries(payload.data ?? {})) {
    if (!doc) continue;
    const carried = { ...(doc.verified_claims?.claims ?? {}), ...(doc.fields ?? {}) };
    jobs.push(check(type, doc.credential, carried));
  }
  if (payload.derived) jobs.push(check("derived", payload.derived.credential, payload.derived.verified_claims?.claims ?? {}));
  const items = await Promise.all(jobs);
  return { verified: items.length > 0 && items.every((i) => i.verified && Object.values(i.claims).every((c) => c.verified)), items };
}
