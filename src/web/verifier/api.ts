// The verifier console's calls to the JSON API (session cookie + CSRF header, src/web/_api.ts).
// Everything sealed stays sealed on the way: the page opens it with the verifier's key.
import type { JWK } from "jose";
import { api, ApiError } from "../_api.js";

export interface VerifierInfo {
  slug: string;
  name: string;
  issuer: string;
  trustFramework: string;
  assuranceLevel: string;
  evidenceMethods: string[];
  signingJwk: JWK | null;
  encryptionJwk: JWK | null;
}

export interface WaitingMember {
  accountId: string;
  email: string;
  encryptionJwk: JWK;
}

export interface ConsoleView {
  verifier: VerifierInfo;
  /** The verifier's private keys sealed to my holder encryption key, once someone shared them. */
  sealedKeys: string | null;
  waiting: WaitingMember[];
  counts: Record<string, number>;
  /** Entries a new status list gets (the server's VERIFIER_STATUS_LIST_SIZE). */
  statusListSize: number;
}

export interface SubmissionSummary {
  id: string;
  state: string;
  items: { itemId: string; type: string; version: number }[];
  createdAt: number;
  decidedAt: number | null;
}

export interface IssuedCredential {
  id: string;
  itemId: string;
  docType: string;
  statusListId: string;
  statusIndex: number;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface Reason {
  itemType: string;
  kind: string;
  field?: string;
  message: string;
}

export interface SubmissionDetail extends SubmissionSummary {
  sealed: string;
  holderSigningJwk: JWK | null;
  holderEncryptionJwk: JWK | null;
  reasons: Reason[];
  credentials: IssuedCredential[];
}

export interface Reservation {
  statusList: { id: string; uri: string };
  indices: Record<string, number>;
}

export interface NewCredential {
  itemId: string;
  sealed: string;
  statusListId: string;
  statusIndex: number;
  verification: unknown;
  expiresAt: number;
}

const base = (slug: string) => `/api/verifiers/${encodeURIComponent(slug)}`;

export const loadConsole = (slug: string) => api<ConsoleView>("GET", `${base(slug)}/console`);

export const setUpKeys = (slug: string, body: { signingJwk: JWK; encryptionJwk: JWK; sealedKeys: string; statusListToken: string }) =>
  api("POST", `${base(slug)}/keys`, body);

export const shareKeys = (slug: string, accountId: string, sealedKeys: string) =>
  api("POST", `${base(slug)}/members/${encodeURIComponent(accountId)}/keys`, { sealedKeys });

export const listSubmissions = (slug: string, state: string) =>
  api<{ submissions: SubmissionSummary[] }>("GET", `${base(slug)}/submissions?state=${encodeURIComponent(state)}`).then((r) => r.submissions);

export const loadSubmission = (slug: string, id: string) => api<SubmissionDetail>("GET", `${base(slug)}/submissions/${encodeURIComponent(id)}`);

export const reserve = (slug: string, id: string) => api<Reservation>("POST", `${base(slug)}/submissions/${encodeURIComponent(id)}/reserve`, {});

export const approve = (slug: string, id: string, credentials: NewCredential[]) =>
  api("POST", `${base(slug)}/submissions/${encodeURIComponent(id)}/approve`, { credentials });

export const reject = (slug: string, id: string, reasons: Reason[]) => api("POST", `${base(slug)}/submissions/${encodeURIComponent(id)}/reject`, { reasons });

export const loadStatusList = (slug: string, listId: string) =>
  api<{ token: string; version: number }>("GET", `${base(slug)}/status/${encodeURIComponent(listId)}`);

export const revoke = (slug: string, credentialId: string, body: { token: string; version: number }) =>
  api("POST", `${base(slug)}/credentials/${encodeURIComponent(credentialId)}/revoke`, body);

/** A submission's file as the ciphertext the holder uploaded. */
export async function fetchSubmissionFile(slug: string, submissionId: string, fileId: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(`${base(slug)}/submissions/${encodeURIComponent(submissionId)}/files/${encodeURIComponent(fileId)}`, { credentials: "same-origin" });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(data.detail ?? `the file could not be downloaded (${res.status})`, res.status);
  }
  return new Uint8Array(await res.arrayBuffer());
}

export { ApiError };
