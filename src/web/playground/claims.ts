// The `claims` parameter for the options chosen on the playground form, set only on the requests
// that accept each option (a selfie for identity documents, translations where a type has them).
import { IDENTITY_DOCUMENTS, isDocumentType, scanRoles } from "../../documents/types.js";
import { SCOPE_PREFIX } from "../../sharing/scopes.js";

export type Want = "no" | "optional" | "required";

export interface PlaygroundChoice {
  scopes: string[];
  selfie: Want;
  translation: Want;
  nativeNames: Want;
  verifiedOnly: boolean;
}

const acceptsSelfie = (k: string) => k === "id_document" || (IDENTITY_DOCUMENTS as readonly string[]).includes(k);
const acceptsTranslation = (k: string) => k === "id_document" || k === "address_document" || (isDocumentType(k) && scanRoles(k).includes("translation"));

export function playgroundClaims(c: PlaygroundChoice): string | undefined {
  const claims: Record<string, Record<string, unknown>> = {};
  const opt = (w: Want) => (w === "required" ? { essential: true } : null);
  for (const scope of c.scopes.filter((s) => s.startsWith(SCOPE_PREFIX))) {
    const k = scope.slice(SCOPE_PREFIX.length);
    const entry: Record<string, unknown> = {};
    if (c.selfie !== "no" && acceptsSelfie(k)) entry.selfie = opt(c.selfie);
    if (c.translation !== "no" && acceptsTranslation(k)) entry.translation = opt(c.translation);
    if (c.nativeNames !== "no" && k === "personal_details") entry.native_names = opt(c.nativeNames);
    // Claims without documents: the playground asks for "over 18" (optional) beside "identity verified".
    if (k === "derived") entry.age_over_18 = null;
    if (Object.keys(entry).length) claims[k] = entry;
  }
  if (!Object.keys(claims).length && !c.verifiedOnly) return undefined;
  return JSON.stringify({ userinfo: { verified_claims: { ...(c.verifiedOnly ? { verification: { trust_framework: null } } : {}), claims } } });
}
