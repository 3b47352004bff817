// A verifier played by the test: its own key pairs (pinned by the relying party, as the SDK allows),
// a status list, and credentials issued with the credentials library for a holder's stored
// documents, sealed to the holder's encryption key and described with the metadata
// GET /api/vault/credentials returns. It stands in for the verifier console until a test goes
// through the server's verifier API.
import crypto from "node:crypto";
import type { JWK } from "jose";
import {
  CREDENTIAL_TYP,
  documentClaims,
  generateHolderKeys,
  generateVerifierKeys,
  importVerifierKeys,
  issueCredential,
  newStatusListToken,
  revokeInStatusListToken,
  sealJson,
  vctFor,
  type HolderKeys,
  type Verification,
  type VerifierPrivateKeys,
  type VerifyOptions,
} from "../../src/credentials/index.js";
import { openCredentials } from "../../src/sharing/credentials.js";
import type { VerifiedInput } from "../../src/sharing/compose.js";
import type { HeldCredential } from "../../src/sharing/verified.js";
import type { VaultHolder } from "../helpers/vault.js";
import type { StoredDocument } from "./documents.js";

const DAY = 86_400_000;

export interface TestVerifier {
  slug: string;
  name: string;
  issuer: string;
  kid: string;
  keys: VerifierPrivateKeys;
  statusUri: string;
  statusToken: string;
  nextIdx: number;
  trustFramework: string;
  assuranceLevel: string;
}

export async function testVerifier(base: string, o: { slug?: string; name?: string; trustFramework?: string; assuranceLevel?: string } = {}): Promise<TestVerifier> {
  const slug = o.slug ?? "kyc";
  const issuer = `${base}/verifiers/${slug}`;
  const keys = await importVerifierKeys((await generateVerifierKeys()).privateJwks);
  const kid = keys.publicJwks.signing.kid ?? "sig-1";
  const statusUri = `${issuer}/status/list-1`;
  const statusToken = await newStatusListToken({ issuer, uri: statusUri, size: 64, signingKey: keys.signingKey, kid });
  return { slug, name: o.name ?? "KYC desk", issuer, kid, keys, statusUri, statusToken, nextIdx: 0, trustFramework: o.trustFramework ?? "eidas", assuranceLevel: o.assuranceLevel ?? "high" };
}

/** The holder's key pairs, made as the browser makes them. */
export async function holderKeysFor(h: VaultHolder): Promise<HolderKeys> {
  const { account } = (await h.agent.request("GET", "/api/account")).json();
  return (await generateHolderKeys(h.vaultKey, account.id)).keys;
}

export interface Issued {
  sdJwt: string;
  meta: HeldCredential;
  idx: number;
}

/** Issues (and seals to the holder) an attestation of `doc` as it is stored. */
export async function issueFor(
  v: TestVerifier,
  holder: HolderKeys,
  doc: StoredDocument,
  o: { now?: number; iat?: number; exp?: number; signingKey?: CryptoKey; kid?: string; verifiedAt?: number } = {},
): Promise<Issued> {
  const now = o.now ?? Date.now();
  const iat = o.iat ?? now;
  const exp = o.exp ?? now + 365 * DAY;
  const idx = v.nextIdx++;
  const details = doc.type === "personal_details" ? {} : { document_details: { type: doc.type, document_number: String(doc.data.document_no), issuer: { country_code: "DE" }, date_of_expiry: String(doc.data.expiry_date) } };
  const verification: Verification = {
    trust_framework: v.trustFramework,
    assurance_level: v.assuranceLevel,
    time: new Date(o.verifiedAt ?? iat).toISOString(),
    evidence: [{ type: "document", method: "pipp", ...details }],
  };
  const sdJwt = await issueCredential({
    issuer: v.issuer,
    kid: o.kid ?? v.kid,
    signingKey: o.signingKey ?? v.keys.signingKey,
    vct: vctFor(v.issuer.replace(/\/verifiers\/.*$/, ""), doc.type),
    claims: documentClaims(doc.type, doc.data, now),
    verification,
    holderJwk: holder.signingJwk,
    status: { uri: v.statusUri, idx },
    iat,
    exp,
  });
  const meta: HeldCredential = {
    id: crypto.randomUUID(),
    itemId: doc.id,
    itemVersion: doc.version,
    type: doc.type,
    verifier: { slug: v.slug, name: v.name, issuer: v.issuer, trust_framework: v.trustFramework, assurance_level: v.assuranceLevel },
    verification: structuredClone(verification) as HeldCredential["verification"],
    sealed: await sealJson(holder.encryptionJwk, sdJwt, CREDENTIAL_TYP),
    issuedAt: iat,
    expiresAt: exp,
    revoked: false,
    current: true,
  };
  // The public metadata keeps no document number (the server stores it beside the ciphertext).
  for (const e of meta.verification.evidence ?? []) delete (e as { document_details?: unknown }).document_details;
  return { sdJwt, meta, idx };
}

export async function revoke(v: TestVerifier, idx: number): Promise<void> {
  v.statusToken = await revokeInStatusListToken(v.statusToken, idx, v.keys.signingKey, v.kid);
}

/** What the consent page holds once it opened the credentials: the input of composePayload. */
export async function verifiedInput(holder: HolderKeys, metas: HeldCredential[], derivedWithheld: string[] = []): Promise<VerifiedInput> {
  const { opened, failed } = await openCredentials(holder.encryptionKey, metas);
  if (failed.length) throw new Error(`credentials did not open: ${failed.map((f) => f.error).join("; ")}`);
  return { signingKey: holder.signingKey, credentials: opened, derivedWithheld };
}

/** The relying party's verification options, with the verifier's keys pinned. */
export function rpOptions(verifiers: TestVerifier[], o: { aud: string; nonce: string; now?: number }): VerifyOptions {
  return {
    aud: o.aud,
    nonce: o.nonce,
    ...(o.now ? { now: o.now } : {}),
    keys: async (iss, kid) => {
      const v = verifiers.find((x) => x.issuer === iss && x.kid === kid);
      return v ? (v.keys.publicJwks.signing as JWK) : null;
    },
    status: async (uri) => {
      const v = verifiers.find((x) => x.statusUri === uri);
      if (!v) throw new Error(`no status list at ${uri}`);
      return v.statusToken;
    },
  };
}
