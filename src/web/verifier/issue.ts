// Approval: one SD-JWT VC per submitted item, signed here with the verifier's key, bound to the
// holder's signing key (`cnf`), with a Token Status List entry reserved on the server first, and
// sealed to the holder's encryption key. The server receives only the sealed credentials and
// their public metadata (verification, status entry, expiry).
import type { JWK } from "jose";
import { CREDENTIAL_TYP, documentClaims, issueCredential, sealJson, vctFor } from "../../credentials/index.js";
import { isIdentityDocument } from "../../documents/index.js";
import { FormProblem } from "../_form.js";
import { approve, reserve, type NewCredential, type VerifierInfo } from "./api.js";
import type { VerifierKeys } from "./keys.js";
import type { OpenedItem } from "./opened.js";

export interface ApproveChoice {
  method: string;
  /** The last day the credentials are valid, YYYY-MM-DD. */
  validUntil: string;
  /** Issuing country of each identity document, by item id (ISO 3166 alpha-2). */
  countries: Record<string, string>;
}

/** OpenID Connect for Identity Assurance names for our identity document types (as discovery lists them, src/oidc/ida-metadata.ts IDA_DOCUMENT_NAMES). */
const IDA_DOCUMENT_TYPES: Record<string, string> = { passport: "passport", identity_card: "idcard", driver_license: "driving_permit", internal_passport: "internal_passport" };

/** The end of a day, in seconds: a credential "valid until D" holds all of D (UTC). */
export const endOfDay = (date: string) => Math.floor(Date.parse(`${date}T23:59:59Z`) / 1000);

/**
 * The evidence behind an item: the identity document it was checked against. An identity document
 * is its own evidence; other items (personal details, address) rest on the submission's identity
 * document, or, without one, on themselves as documents of their own type.
 */
export function verificationFor(v: VerifierInfo, item: OpenedItem, items: OpenedItem[], choice: ApproveChoice, time: Date) {
  const doc = isIdentityDocument(item.type) ? item : items.find((i) => isIdentityDocument(i.type));
  const str = (x: unknown) => (typeof x === "string" && x ? x : undefined);
  const details = doc
    ? {
        type: IDA_DOCUMENT_TYPES[doc.type] ?? doc.type,
        document_number: str(doc.fields.document_no),
        ...(choice.countries[doc.itemId] ? { issuer: { country_code: choice.countries[doc.itemId] } } : {}),
        ...(str(doc.fields.expiry_date) ? { date_of_expiry: str(doc.fields.expiry_date) } : {}),
      }
    : { type: item.type };
  return {
    trust_framework: v.trustFramework,
    assurance_level: v.assuranceLevel,
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    evidence: [{ type: "document", method: choice.method, document_details: details }],
  };
}

/**
 * `passportIssuer` is this Passport server's issuer URL: it names the document types (`vct`), so
 * every verifier on the server attests "a passport" under the same name.
 */
export async function approveSubmission(
  slug: string,
  passportIssuer: string,
  v: VerifierInfo,
  keys: VerifierKeys,
  submission: { id: string; holderSigningJwk: JWK | null; holderEncryptionJwk: JWK | null },
  items: OpenedItem[],
  choice: ApproveChoice,
): Promise<void> {
  const { holderSigningJwk, holderEncryptionJwk } = submission;
  if (!holderSigningJwk || !holderEncryptionJwk) throw new FormProblem("The holder has no keys to bind and seal credentials to: ask them to open their vault once and submit again.");
  // Status indices first: if anything below fails, a retry gets the same ones (idempotent per submission).
  const r = await reserve(slug, submission.id);
  const now = new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = endOfDay(choice.validUntil);
  const credentials: NewCredential[] = [];
  for (const item of items) {
    const idx = r.indices[item.itemId];
    if (idx === undefined) throw new FormProblem(`The server reserved no status entry for the ${item.type.replace(/_/g, " ")}.`);
    const verification = verificationFor(v, item, items, choice, now);
    const sdJwt = await issueCredential({
      issuer: v.issuer,
      kid: keys.kid,
      signingKey: keys.signingKey,
      vct: vctFor(passportIssuer, item.type),
      claims: documentClaims(item.type, item.fields, now),
      verification,
      holderJwk: holderSigningJwk,
      status: { uri: r.statusList.uri, idx },
      iat,
      exp,
    });
    const sealed = await sealJson(holderEncryptionJwk, sdJwt, CREDENTIAL_TYP);
    credentials.push({ itemId: item.itemId, sealed, statusListId: r.statusList.id, statusIndex: idx, verification, expiresAt: exp * 1000 });
  }
  await approve(slug, submission.id, credentials);
}
