// Discovery metadata of OpenID Connect for Identity Assurance 1.0 (section 8): what a relying
// party may put in a verified_claims request and what Passport's verifiers attest.
import { IDENTITY_DOCUMENTS, DOCUMENT_TYPES } from "../documents/types.js";
import { shareableFields } from "../sharing/request.js";
import { DERIVED_CLAIMS } from "../sharing/scopes.js";
import { EVIDENCE_SUPPORTED } from "../sharing/verification-request.js";

/** Passport's identity document types under the names OIDC4IDA predefines (ones it lacks keep ours). */
export const IDA_DOCUMENT_NAMES: Record<(typeof IDENTITY_DOCUMENTS)[number], string> = {
  passport: "passport",
  identity_card: "idcard",
  driver_license: "driving_permit",
  internal_passport: "internal_passport",
};

/** Every field a credential can attest (documents' ordinary fields, scans excluded) and the derived claims. */
function attestedClaims(): string[] {
  const scans = new Set(["front_side", "reverse_side", "selfie", "translation", "files"]);
  const names = new Set<string>();
  for (const t of DOCUMENT_TYPES) for (const f of shareableFields(t)) if (!scans.has(f)) names.add(f);
  for (const f of ["first_name_native", "middle_name_native", "last_name_native"]) names.add(f);
  return [...names, ...DERIVED_CLAIMS];
}

export function identityAssuranceMetadata(trustFrameworks: string[]): Record<string, unknown> {
  return {
    verified_claims_supported: true,
    trust_frameworks_supported: trustFrameworks,
    evidence_supported: [...EVIDENCE_SUPPORTED],
    documents_supported: IDENTITY_DOCUMENTS.map((t) => IDA_DOCUMENT_NAMES[t]),
    claims_in_verified_claims_supported: attestedClaims(),
  };
}
