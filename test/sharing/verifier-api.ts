// A verifier that works through the server's API, as the console and the holder's vault page do:
// an admin registers it, a member makes its keys (sealed to the member) and its first status list,
// the holder stores holder keys and submits items sealed to the verifier, the member reserves
// status indices, issues SD-JWT VCs sealed to the holder and approves; the holder then lists them
// at GET /api/vault/credentials. Relying parties find the keys at the verifier's
// /.well-known/jwt-vc-issuer and the status lists at their URIs.
import assert from "node:assert/strict";
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
  sealVerifierKeys,
  SUBMISSION_TYP,
  vctFor,
  type HolderKeys,
  type Verification,
  type VerifierPrivateKeys,
  type VerifyOptions,
} from "../../src/credentials/index.js";
import type { HeldCredential } from "../../src/sharing/verified.js";
import type { TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import type { StoredDocument } from "./documents.js";

const DAY = 86_400_000;

export interface ApiVerifier {
  slug: string;
  name: string;
  issuer: string;
  member: VaultHolder;
  keys: VerifierPrivateKeys;
  kid: string;
  trustFramework: string;
  assuranceLevel: string;
}

/** Stores fresh holder keys for `h` (PUT /api/vault/holder-keys) and returns them opened. */
export async function storeHolderKeys(h: VaultHolder): Promise<HolderKeys> {
  const { account } = (await h.agent.request("GET", "/api/account")).json();
  const made = await generateHolderKeys(h.vaultKey, account.id);
  const res = await h.agent.request("PUT", "/api/vault/holder-keys", { json: { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped } });
  assert.equal(res.status, 201, res.text);
  return made.keys;
}

/** `iterations`: the member's KDF cost (a server started with a higher minimum needs it). */
export async function apiVerifier(s: TestServer, o: { slug: string; name?: string; trustFramework?: string; assuranceLevel?: string; iterations?: number }): Promise<ApiVerifier> {
  const name = o.name ?? `Verifier ${o.slug}`;
  const trustFramework = o.trustFramework ?? "eidas";
  const assuranceLevel = o.assuranceLevel ?? "high";
  const container = s.app.container as unknown as { verifiers: { create(i: unknown): Promise<unknown>; addMember(slug: string, email: string): Promise<unknown> } };
  await container.verifiers.create({ slug: o.slug, name, trustFramework, assuranceLevel, evidenceMethods: ["pipp"] });
  const member = await signUpHolder(s.url, "a member's long password", o.iterations);
  await container.verifiers.addMember(o.slug, member.email);
  const memberKeys = await storeHolderKeys(member);
  const keys = await importVerifierKeys((await generateVerifierKeys()).privateJwks);
  const kid = keys.publicJwks.signing.kid!;
  const issuer = `${s.url}/verifiers/${o.slug}`;
  const uri = `${issuer}/status/${crypto.randomUUID()}`;
  const res = await member.agent.request("POST", `/api/verifiers/${o.slug}/keys`, {
    json: {
      signingJwk: keys.publicJwks.signing,
      encryptionJwk: keys.publicJwks.encryption,
      sealedKeys: await sealVerifierKeys(keys.privateJwks, memberKeys.encryptionJwk),
      statusListToken: await newStatusListToken({ issuer, uri, size: 1024, signingKey: keys.signingKey, kid }),
    },
  });
  assert.equal(res.status, 201, res.text);
  return { slug: o.slug, name, issuer, member, keys, kid, trustFramework, assuranceLevel };
}

/**
 * The holder submits `docs` to `v` and the member approves them with credentials issued now.
 * Returns the holder's credential list afterwards (GET /api/vault/credentials).
 */
export async function verifyThroughApi(v: ApiVerifier, h: VaultHolder, holder: HolderKeys, docs: StoredDocument[], o: { exp?: number } = {}): Promise<HeldCredential[]> {
  const sealed = await sealJson(v.keys.publicJwks.encryption, { items: docs.map((d) => ({ itemId: d.id, type: d.type, version: d.version, fields: d.data })) }, SUBMISSION_TYP);
  const sub = await h.agent.request("POST", "/api/vault/submissions", { json: { verifier: v.slug, items: docs.map((d) => ({ itemId: d.id, version: d.version })), sealed, fileIds: [] } });
  assert.equal(sub.status, 201, sub.text);
  const id = sub.json().submission.id as string;
  const reserved = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} });
  assert.equal(reserved.status, 200, reserved.text);
  const { statusList, indices } = reserved.json() as { statusList: { id: string; uri: string }; indices: Record<string, number> };
  const now = Date.now();
  const exp = o.exp ?? now + 365 * DAY;
  const credentials = [];
  for (const d of docs) {
    const details = d.type === "personal_details" ? {} : { document_details: { type: d.type, document_number: String(d.data.document_no), issuer: { country_code: "DE" }, date_of_expiry: String(d.data.expiry_date) } };
    const verification: Verification = { trust_framework: v.trustFramework, assurance_level: v.assuranceLevel, time: new Date(now).toISOString(), evidence: [{ type: "document", method: "pipp", ...details }] };
    const sdJwt = await issueCredential({
      issuer: v.issuer,
      kid: v.kid,
      signingKey: v.keys.signingKey,
      vct: vctFor(v.issuer.replace(/\/verifiers\/.*$/, ""), d.type),
      claims: documentClaims(d.type, d.data, now),
      verification,
      holderJwk: holder.signingJwk,
      status: { uri: statusList.uri, idx: indices[d.id]! },
      iat: now,
      exp,
    });
    const publicMeta = { ...verification, evidence: [{ type: "document", method: "pipp" }] };
    credentials.push({ itemId: d.id, sealed: await sealJson(holder.encryptionJwk, sdJwt, CREDENTIAL_TYP), statusListId: statusList.id, statusIndex: indices[d.id]!, verification: publicMeta, expiresAt: exp });
  }
  const approved = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/approve`, { json: { credentials } });
  assert.equal(approved.status, 204, approved.text);
  return heldCredentials(h);
}

export async function heldCredentials(h: VaultHolder): Promise<HeldCredential[]> {
  const res = await h.agent.request("GET", "/api/vault/credentials");
  assert.equal(res.status, 200, res.text);
  return res.json().credentials;
}

/** The member revokes a credential: flips its bit in the current list and stores the list (compare-and-set). */
export async function revokeThroughApi(v: ApiVerifier, s: TestServer, credentialId: string, statusUri: string, idx: number): Promise<void> {
  const listId = statusUri.split("/").at(-1)!;
  const current = await v.member.agent.request("GET", `/api/verifiers/${v.slug}/status/${listId}`);
  assert.equal(current.status, 200, current.text);
  const { token, version } = current.json();
  const res = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/credentials/${credentialId}/revoke`, { json: { token: await revokeInStatusListToken(token, idx, v.keys.signingKey, v.kid), version } });
  assert.ok(res.status === 204 || res.status === 200, res.text);
}

/** A relying party's verification options that fetch the verifier's published keys and status lists. */
export function publishedKeys(o: { aud: string; nonce: string }): VerifyOptions {
  return {
    aud: o.aud,
    nonce: o.nonce,
    keys: async (iss, kid) => {
      const u = new URL(iss);
      const res = await fetch(`${u.origin}/.well-known/jwt-vc-issuer${u.pathname}`);
      if (!res.ok) return null;
      const meta = (await res.json()) as { issuer: string; jwks: { keys: JWK[] } };
      if (meta.issuer !== iss) return null;
      return meta.jwks.keys.find((k) => k.kid === kid) ?? null;
    },
    status: async (uri) => {
      const res = await fetch(uri);
      if (!res.ok) throw new Error(`status list ${uri}: HTTP ${res.status}`);
      return res.text();
    },
  };
}
