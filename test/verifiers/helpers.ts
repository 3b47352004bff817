// Verifier tests' helpers: holders with holder keys, a verifier whose member set up its keys the
// way the console does (generateVerifierKeys, sealVerifierKeys, newStatusListToken), submissions
// sealed with sealJson, and an approval that issues real SD-JWT VCs. All over HTTP.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  CREDENTIAL_TYP,
  SUBMISSION_TYP,
  documentClaims,
  generateHolderKeys,
  generateVerifierKeys,
  importVerifierKeys,
  issueCredential,
  newStatusListToken,
  sealJson,
  sealVerifierKeys,
  vctFor,
  type HolderKeys,
  type VerifierPrivateKeys,
} from "../../src/credentials/index.js";
import type { TestServer } from "../helpers/server.js";
import { saveItem, signUpHolder, uploadFile, type VaultHolder } from "../helpers/vault.js";

export interface KeyedHolder extends VaultHolder {
  id: string;
  keys: HolderKeys;
}

export async function keyedHolder(s: TestServer): Promise<KeyedHolder> {
  const h = await signUpHolder(s.url);
  const id = (await h.agent.get("/api/account")).json().account.id as string;
  const made = await generateHolderKeys(h.vaultKey, id);
  const res = await h.agent.request("PUT", "/api/vault/holder-keys", { json: { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped } });
  assert.equal(res.status, 201, res.text);
  return { ...h, id, keys: made.keys };
}

export interface TestVerifier {
  slug: string;
  member: KeyedHolder;
  keys: VerifierPrivateKeys;
  listId: string;
  issuer: string;
}

let n = 0;
export const uniqueSlug = (p = "v") => `${p}-${Date.now().toString(36)}-${++n}`;

/** A verifier made by the admin service, with one member who sets up the keys over HTTP. */
export async function keyedVerifier(s: TestServer, opts: { slug?: string; size?: number } = {}): Promise<TestVerifier> {
  const c = s.app.container;
  const slug = opts.slug ?? uniqueSlug();
  await c.verifiers.create({ slug, name: `Verifier ${slug}`, trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp"] });
  const member = await keyedHolder(s);
  await c.verifiers.addMember(slug, member.email);
  const made = await generateVerifierKeys();
  const keys = await importVerifierKeys(made.privateJwks);
  const listId = crypto.randomUUID();
  const issuer = `${s.url}/verifiers/${slug}`;
  const statusListToken = await newStatusListToken({ issuer, uri: `${issuer}/status/${listId}`, size: opts.size ?? 128, signingKey: keys.signingKey, kid: made.publicJwks.signing.kid! });
  const res = await member.agent.request("POST", `/api/verifiers/${slug}/keys`, {
    json: { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, sealedKeys: await sealVerifierKeys(made.privateJwks, member.keys.encryptionJwk), statusListToken },
  });
  assert.equal(res.status, 201, res.text);
  return { slug, member, keys, listId, issuer };
}

export const PASSPORT = { first_name: "Ada", last_name: "Lovelace", document_no: "P1234567", expiry_date: "2031-01-01", country_code: "GB" };

/** Saves a passport with a scan; returns the item id, version and file id. */
export async function passportItem(h: VaultHolder, fields: Record<string, unknown> = PASSPORT, scan: Uint8Array = crypto.randomBytes(500)) {
  const up = await uploadFile(h, scan);
  assert.equal(up.status, 201);
  const { id, res } = await saveItem(h, "passport", { ...fields, front_side: up.id }, { fileIds: [up.id] });
  assert.equal(res.status, 200, res.text);
  return { itemId: id, version: res.json().version as number, fileId: up.id, fileKey: up.sealed };
}

export async function submit(h: VaultHolder, v: TestVerifier, items: { itemId: string; version: number }[], fileIds: string[] = [], plaintext: unknown = { note: "fields" }) {
  const sealed = await sealJson(v.keys.publicJwks.encryption, plaintext, SUBMISSION_TYP);
  return h.agent.request("POST", "/api/vault/submissions", { json: { verifier: v.slug, items, sealed, fileIds } });
}

/** What the console does on approve: reserve, issue one SD-JWT VC per item, seal it to the holder, approve. */
export async function approve(v: TestVerifier, submissionId: string, fields: Record<string, unknown> = PASSPORT, by: KeyedHolder = v.member) {
  const a = by.agent;
  const detail = (await a.get(`/api/verifiers/${v.slug}/submissions/${submissionId}`)).json();
  const reserved = await a.request("POST", `/api/verifiers/${v.slug}/submissions/${submissionId}/reserve`, { json: {} });
  assert.equal(reserved.status, 200, reserved.text);
  const { statusList, indices } = reserved.json();
  const details = { type: "passport", document_number: String(fields.document_no ?? ""), date_of_expiry: String(fields.expiry_date ?? "") };
  const verification = { trust_framework: "eidas", assurance_level: "high", time: new Date().toISOString(), evidence: [{ type: "document", method: "pipp", document_details: details }] };
  const exp = Date.parse("2031-01-01T00:00:00Z");
  const credentials = [];
  for (const item of detail.items as { itemId: string; type: string }[]) {
    const sdJwt = await issueCredential({
      issuer: v.issuer,
      kid: v.keys.publicJwks.signing.kid!,
      signingKey: v.keys.signingKey,
      vct: vctFor(new URL(v.issuer).origin, item.type),
      claims: documentClaims(item.type, fields),
      verification,
      holderJwk: detail.holderSigningJwk,
      status: { uri: statusList.uri, idx: indices[item.itemId] },
      exp,
    });
    credentials.push({ itemId: item.itemId, sealed: await sealJson(detail.holderEncryptionJwk, sdJwt, CREDENTIAL_TYP), statusListId: statusList.id, statusIndex: indices[item.itemId], verification, expiresAt: exp });
  }
  return a.request("POST", `/api/verifiers/${v.slug}/submissions/${submissionId}/approve`, { json: { credentials } });
}
