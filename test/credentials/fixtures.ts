// Shared set-up for the credentials tests: a verifier with keys and a status list, a holder with
// keys, and attestations of personal details and a passport issued the way the console issues them.
import { SignJWT } from "jose";
import { createHash } from "node:crypto";
import { generateVaultKey } from "../../src/crypto/index.js";
import {
  documentClaims,
  generateHolderKeys,
  generateVerifierKeys,
  importVerifierKeys,
  issueCredential,
  newStatusListToken,
  vctFor,
  type HolderKeys,
  type Verification,
  type VerifyOptions,
} from "../../src/credentials/index.js";

export const PASSPORT_ISSUER = "https://id.example.test";
export const ISSUER = `${PASSPORT_ISSUER}/verifiers/kyc`;
export const STATUS_URI = `${ISSUER}/status/11111111-1111-4111-8111-111111111111`;
export const AUD = "client-123";
export const NONCE = "nonce-abc";

export const PERSON = {
  first_name: "Erika",
  last_name: "Mustermann",
  birth_date: "2000-06-15",
  gender: "female",
  country_code: "DE",
  residence_country_code: "FR",
};
export const PASSPORT = { document_no: "C01X00T47", expiry_date: "2031-10-31", translation: [] };

export const verification = (now: Date): Verification => ({
  trust_framework: "eidas",
  assurance_level: "high",
  time: now.toISOString(),
  evidence: [{ type: "document", method: "pipp", document_details: { type: "passport", document_number: PASSPORT.document_no, issuer: { country_code: "DE" }, date_of_expiry: PASSPORT.expiry_date } }],
});

export async function setup() {
  const verifier = await generateVerifierKeys();
  const vkeys = await importVerifierKeys(verifier.privateJwks);
  const kid = verifier.publicJwks.signing.kid!;
  const vaultKey = await generateVaultKey();
  const holder = await generateHolderKeys(vaultKey, "account-1");
  let statusToken = await newStatusListToken({ issuer: ISSUER, uri: STATUS_URI, size: 64, signingKey: vkeys.signingKey, kid });
  const now = new Date();

  async function issue(type: "personal_details" | "passport", o: { idx?: number; iat?: Date; exp?: Date; holderJwk?: HolderKeys["signingJwk"]; signingKey?: CryptoKey } = {}) {
    const fields = type === "personal_details" ? PERSON : PASSPORT;
    return issueCredential({
      issuer: ISSUER,
      kid,
      signingKey: o.signingKey ?? vkeys.signingKey,
      vct: vctFor(PASSPORT_ISSUER, type),
      claims: documentClaims(type, fields, o.iat ?? now),
      verification: verification(o.iat ?? now),
      holderJwk: o.holderJwk ?? holder.publicJwks.signing,
      status: { uri: STATUS_URI, idx: o.idx ?? 0 },
      iat: o.iat ?? now,
      exp: o.exp ?? new Date(`${PASSPORT.expiry_date}T00:00:00Z`),
    });
  }

  const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
    aud: AUD,
    nonce: NONCE,
    keys: async (iss, k) => (iss === ISSUER && k === kid ? verifier.publicJwks.signing : null),
    status: async (uri) => {
      if (uri !== STATUS_URI) throw new Error("no such list");
      return statusToken;
    },
    ...over,
  });

  return {
    verifier,
    vkeys,
    kid,
    vaultKey,
    holder,
    now,
    issue,
    options,
    get statusToken() {
      return statusToken;
    },
    set statusToken(t: string) {
      statusToken = t;
    },
  };
}

/** SHA-256 base64url, computed with Node's own crypto (independent of the library). */
export const digest = (s: string) => createHash("sha256").update(s, "ascii").digest("base64url");

/** A key-binding JWT over exactly `bound` (`<jwt>~<disclosures>~`), for re-binding altered presentations. */
export async function bindKb(bound: string, key: CryptoKey, o: { aud?: string; nonce?: string; iat?: number } = {}): Promise<string> {
  const kb = await new SignJWT({ aud: o.aud ?? AUD, nonce: o.nonce ?? NONCE, iat: o.iat ?? Math.floor(Date.now() / 1000), sd_hash: digest(bound) })
    .setProtectedHeader({ alg: "ES256", typ: "kb+jwt" })
    .sign(key);
  return bound + kb;
}

/** Splits an SD-JWT+KB into the issuer JWT, disclosures and KB-JWT. */
export function split(presentation: string) {
  const parts = presentation.split("~");
  return { jwt: parts[0]!, disclosures: parts.slice(1, -1), kb: parts[parts.length - 1]! };
}
export const join = (jwt: string, disclosures: string[]) => [jwt, ...disclosures].join("~") + "~";

export const b64uJson = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
export const toB64uJson = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
