// A verifier for tests of the holder's side: registered through the server's service, staffed by
// one member account, keyed with key pairs made here by the credentials library (as a member's
// browser or the CLI agent would), so the test holds the private keys and can open what holders
// seal to the verifier, and reject or approve through the service as that member.
import crypto from "node:crypto";
import type { JWK } from "jose";
import {
  CREDENTIAL_TYP,
  documentClaims,
  generateVerifierKeys,
  importVerifierKeys,
  issueCredential,
  newStatusListToken,
  openJson,
  sealJson,
  SUBMISSION_TYP,
  vctFor,
  type PrivateJwks,
  type PublicJwks,
} from "../../src/credentials/index.js";
import { createHolder } from "./accounts.js";
import type { TestServer } from "./server.js";

export interface TestVerifier {
  slug: string;
  name: string;
  issuer: string;
  publicJwks: PublicJwks;
  privateJwks: PrivateJwks;
  /** The member account the test acts as (queue, reject, approve). */
  memberId: string;
}

/** What a holder's browser seals to the verifier (src/web/vault/submission.ts). */
export interface OpenedSubmission {
  items: { id: string; type: string; version: number; fields: Record<string, unknown>; files: { id: string; role: string; key: string; sha256: string; size: number; mime: string }[] }[];
  holder: { signingJwk: JWK };
}

export async function setUpVerifier(s: TestServer, o: { name?: string; trustFramework?: string; assuranceLevel?: string } = {}): Promise<TestVerifier> {
  const c = s.app.container;
  const slug = `kyc-${crypto.randomBytes(4).toString("hex")}`;
  const name = o.name ?? "Example KYC Desk";
  await c.verifiers.create({ slug, name, trustFramework: o.trustFramework ?? "eidas", assuranceLevel: o.assuranceLevel ?? "high", evidenceMethods: ["pipp"] });
  const member = await createHolder(c);
  await c.verifiers.addMember(slug, member.email);
  const { publicJwks, privateJwks } = await generateVerifierKeys();
  const issuer = `${s.cfg.issuer}/verifiers/${slug}`;
  const statusListToken = await newStatusListToken({ issuer, uri: `${issuer}/status/${crypto.randomUUID()}`, size: 1024, signingKey: privateJwks.signing, kid: publicJwks.signing.kid! });
  // Keyed as the CLI agent keys a verifier (no member's sealed copy): the test holds the keys.
  await c.verifiers.setupKeys(slug, null, { signingJwk: publicJwks.signing as never, encryptionJwk: publicJwks.encryption as never, sealedKeys: null, statusListToken });
  return { slug, name, issuer, publicJwks, privateJwks, memberId: member.id };
}

/** The verifier's side: the submission as stored, and its contents opened with the verifier's key. */
export async function openSubmission(s: TestServer, v: TestVerifier, id: string): Promise<{ sealed: string; opened: OpenedSubmission }> {
  const detail = await s.app.container.submissions.detail(v.slug, v.memberId, id);
  const keys = await importVerifierKeys(v.privateJwks);
  return { sealed: detail.sealed, opened: await openJson<OpenedSubmission>(keys.encryptionKey, detail.sealed, SUBMISSION_TYP) };
}

/**
 * Approves a submission as the verifier console does: reserve status entries, issue one SD-JWT VC
 * per item bound to the holder's key, seal each to the holder, send them.
 */
export async function approveSubmission(s: TestServer, v: TestVerifier, id: string, now = new Date()): Promise<void> {
  const c = s.app.container;
  const { opened } = await openSubmission(s, v, id);
  const detail = await c.submissions.detail(v.slug, v.memberId, id);
  const { statusList, indices } = await c.submissions.reserve(v.slug, v.memberId, id);
  const exp = new Date(now.getTime() + 365 * 86_400_000);
  const credentials = [];
  for (const item of opened.items) {
    const verification = {
      trust_framework: "eidas",
      assurance_level: "high",
      time: now.toISOString(),
      evidence: [{ type: "document", method: "pipp", document_details: { type: item.type } }],
    };
    const sdJwt = await issueCredential({
      issuer: v.issuer,
      kid: v.publicJwks.signing.kid!,
      signingKey: v.privateJwks.signing,
      vct: vctFor(s.cfg.issuer, item.type),
      claims: documentClaims(item.type, item.fields, now),
      verification,
      holderJwk: opened.holder.signingJwk,
      status: { uri: statusList.uri, idx: indices[item.id]! },
      iat: now,
      exp,
    });
    credentials.push({
      itemId: item.id,
      sealed: await sealJson(detail.holderEncryptionJwk!, sdJwt, CREDENTIAL_TYP),
      statusListId: statusList.id,
      statusIndex: indices[item.id]!,
      verification,
      expiresAt: exp.getTime(),
    });
  }
  await c.submissions.approve(v.slug, v.memberId, id, credentials);
}
