/**
 * From a consent request and the holder's choices to the sealed payload: which vault item answers
 * each request entry, which of its fields and scans go, which verifier's attestation vouches for
 * them (presented with only those disclosures), then sealing. Runs in the holder's browser (the
 * consent page) and in tests that stand in for it.
 */
import type { DocumentType } from "../documents/types.js";
import { derivedClaimsOf, derivedCredential, openedFor, present, type OpenedCredential } from "./credentials.js";
import { PAYLOAD_VERSION, sealPayload, shareDocument, type PassportPayload, type VaultItemEnvelope } from "./payload.js";
import { fieldsToShare, type RequestEntry, type ShareRequest } from "./request.js";

/** What GET /interaction/:uid/passport answers. */
export interface ConsentData {
  client: { id: string; name: string; logoUri: string | null };
  issuer: string;
  sub: string;
  nonce: string;
  request: ShareRequest;
  otherScopes: { name: string; text: string }[];
  remembered: boolean;
  encryptionKey: { jwk: Record<string, unknown>; alg: string };
}

/** The holder's answer for one entry: which type (item) to share, with which optional parts. */
export interface EntryChoice {
  type: DocumentType | null;
  selfie: boolean;
  translation: boolean;
  nativeNames: boolean;
  /** Fields the holder chose not to disclose (never an essential one). */
  withheld?: string[];
}

/** The default answer: the first available type, every requested part included. */
export function defaultChoice(entry: RequestEntry, available: Set<string>): EntryChoice {
  return {
    type: entry.types.find((t) => available.has(t)) ?? null,
    selfie: entry.options.selfie !== "no",
    translation: entry.options.translation !== "no",
    nativeNames: entry.options.nativeNames !== "no",
    withheld: [],
  };
}

/** The holder's credentials for this share, opened in the browser, and the key that binds presentations. */
export interface VerifiedInput {
  /** The holder's signing key (the `cnf` of their credentials): signs the key-binding JWTs. */
  signingKey: CryptoKey;
  credentials: OpenedCredential[];
  /** Optional derived claims the holder left out. */
  derivedWithheld?: string[];
}

/** The fields of an entry's document that go: what the request lets through, less what the holder withheld. */
export function fieldsChosen(type: DocumentType, entry: RequestEntry, choice: EntryChoice): string[] {
  const withheld = new Set((choice.withheld ?? []).filter((f) => !entry.options.essential.includes(f)));
  return fieldsToShare(type, entry.options, choice).filter((f) => !withheld.has(f));
}

/** A derived-claims request no credential answers (null when one does, or none was asked). */
export function missingDerived(request: ShareRequest, credentials: OpenedCredential[], now = Date.now()): string | null {
  if (!request.derived || derivedCredential(request, credentials, now)) return null;
  return "derived: no verification answers it";
}

/** Problems that keep the holder from sharing: a required entry without an item, or a required part left out. */
export function missingRequired(request: ShareRequest, choices: Map<string, EntryChoice>, verified: Set<string>): string[] {
  const problems: string[] = [];
  for (const e of request.entries) {
    const c = choices.get(e.key);
    if (!c?.type) problems.push(`${e.key}: nothing chosen`);
    else if (request.verifiedOnly && !verified.has(c.type)) problems.push(`${e.key}: ${c.type} is not verified`);
    if (e.options.selfie === "required" && !c?.selfie) problems.push(`${e.key}: the selfie is required`);
    if (e.options.translation === "required" && !c?.translation) problems.push(`${e.key}: the translation is required`);
    if (e.options.nativeNames === "required" && !c?.nativeNames) problems.push(`${e.key}: names in the native script are required`);
  }
  return problems;
}

export async function composePayload(
  vaultKey: CryptoKey,
  consent: ConsentData,
  items: VaultItemEnvelope[],
  choices: Map<string, EntryChoice>,
  now = Date.now(),
  verified?: VerifiedInput,
): Promise<{ jwe: string; types: DocumentType[]; fileIds: string[] }> {
  const iat = Math.floor(now / 1000);
  const payload: PassportPayload = { v: PAYLOAD_VERSION, iss: consent.issuer, aud: consent.client.id, sub: consent.sub, nonce: consent.nonce, iat, data: {} };
  const bind = { aud: consent.client.id, nonce: consent.nonce, iat };
  const { request } = consent;
  const fileIds: string[] = [];
  for (const entry of request.entries) {
    const choice = choices.get(entry.key);
    if (!choice?.type) continue;
    const item = items.find((i) => i.type === choice.type);
    if (!item) continue;
    const credential = verified ? openedFor(choice.type, verified.credentials, request.verification, now, item) : null;
    // The email item Passport verifies itself still says "verified" without a credential: it meets "verified, any standard".
    const legacy = item.type === "email" && item.verification === "verified" && Object.values(request.verification ?? {}).every((v) => v === null);
    if (request.verifiedOnly && !credential && !legacy) throw new Error(`your ${choice.type.replace(/_/g, " ")} is not verified to the standard this app asks for`);
    const fields = fieldsChosen(choice.type, entry, choice);
    const { doc, fileIds: ids } = await shareDocument(vaultKey, item, fields);
    if (credential) Object.assign(doc, await present(credential, fields, verified!.signingKey, bind));
    payload.data[choice.type] = doc;
    fileIds.push(...ids);
  }
  if (request.derived) {
    // Claims without documents: an attestation with derived disclosures only, no data, no scans.
    const credential = verified ? derivedCredential(request, verified.credentials, now) : null;
    if (!credential) throw new Error("none of your verified documents answers the claims this app asks for");
    const withheld = new Set(verified!.derivedWithheld ?? []);
    const names = derivedClaimsOf(request, credential).filter((n) => request.derived!.claims[n] === "required" || !withheld.has(n));
    payload.derived = await present(credential, names, verified!.signingKey, bind);
  }
  const jwe = await sealPayload(payload, consent.encryptionKey as never);
  return { jwe, types: Object.keys(payload.data) as DocumentType[], fileIds };
}
