/**
 * From a consent request and the holder's choices to the sealed payload: which vault item answers
 * each request entry, which of its fields and scans go, then sealing. Runs in the holder's browser
 * (the consent page) and in tests that stand in for it.
 */
import type { DocumentType } from "../documents/types.js";
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
}

/** The default answer: the first available type, every requested part included. */
export function defaultChoice(entry: RequestEntry, available: Set<string>): EntryChoice {
  return {
    type: entry.types.find((t) => available.has(t)) ?? null,
    selfie: entry.options.selfie !== "no",
    translation: entry.options.translation !== "no",
    nativeNames: entry.options.nativeNames !== "no",
  };
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
): Promise<{ jwe: string; types: DocumentType[]; fileIds: string[] }> {
  const payload: PassportPayload = { v: PAYLOAD_VERSION, iss: consent.issuer, aud: consent.client.id, sub: consent.sub, nonce: consent.nonce, iat: Math.floor(now / 1000), data: {} };
  const fileIds: string[] = [];
  for (const entry of consent.request.entries) {
    const choice = choices.get(entry.key);
    if (!choice?.type) continue;
    const item = items.find((i) => i.type === choice.type);
    if (!item) continue;
    const fields = fieldsToShare(choice.type, entry.options, choice);
    const { doc, fileIds: ids } = await shareDocument(vaultKey, item, fields);
    payload.data[choice.type] = doc;
    fileIds.push(...ids);
  }
  const jwe = await sealPayload(payload, consent.encryptionKey as never);
  return { jwe, types: Object.keys(payload.data) as DocumentType[], fileIds };
}
