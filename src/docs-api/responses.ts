// Shapes of what the JSON API answers, for the OpenAPI description (src/docs-api/document.ts). The
// routes build these bodies from service results; test/docs/openapi.test.ts checks real answers
// against the description, so a body that drifts from its shape here fails a test.
import { z } from "zod";
import { DOCUMENT_TYPES } from "../documents/types.js";
import { ERROR_KINDS } from "../services/sharing.js";
import { kdfParams } from "../routes/schemas.js";

const millis = z.number().int().describe("milliseconds since the epoch");

/** RFC 9457 problem details, as src/errors.ts `toHttp` writes them for every 4xx and 5xx of ours. */
export const problem = z
  .object({
    type: z.string().describe('always "about:blank"'),
    title: z.string().describe("the same as `code`"),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe("a sentence for people"),
    code: z.string().describe("a stable machine-readable code, e.g. invalid_request, unauthorized, csrf, too_many_attempts"),
    fields: z.record(z.string(), z.string()).optional().describe("field name → what is wrong with it (validation errors)"),
  })
  .strict()
  .meta({ id: "Problem" });

export const accountSummary = z
  .object({ id: z.string(), email: z.string(), isAdmin: z.boolean(), recoveryKeyConfirmed: z.boolean().describe("false until the holder confirms the recovery key; until then the vault and app sign-ins are refused") })
  .strict();
export const account = accountSummary.extend({ createdAt: millis, passwordChangedAt: millis }).strict();
export const kdf = kdfParams.strict();

export const preloginAnswer = z.object({ kdf, minIterations: z.number().int().describe("the server's KDF_ITERATIONS: an account below it should upgrade") }).strict();
export const kdfDefaults = z.object({ alg: z.literal("pbkdf2-sha256"), iterations: z.number().int() }).strict();
export const signUpAnswer = z.object({ account: accountSummary }).strict();
export const signedInAnswer = z.object({ account: accountSummary, wrappedVaultKey: z.string().describe("the vault key wrapped under the password's KEK") }).strict();
/** WebAuthn options as @simplewebauthn/server writes them (PublicKeyCredentialRequestOptionsJSON / CreationOptionsJSON). */
const webauthnOptions = z.object({ challenge: z.string() }).catchall(z.unknown());
export const passkeyChallengeAnswer = z
  .object({
    secondFactor: z.literal("passkey"),
    options: webauthnOptions.describe("for navigator.credentials.get() (@simplewebauthn/browser startAuthentication)"),
  })
  .strict();
export const signInAnswer = z.union([signedInAnswer, passkeyChallengeAnswer]);
export const passkeyRegistrationOptions = webauthnOptions.describe("for navigator.credentials.create() (@simplewebauthn/browser startRegistration)");
export const passkeyAnswer = z.object({ passkey: z.object({ id: z.string().uuid(), name: z.string(), createdAt: millis, lastUsedAt: millis.nullable() }).strict() }).strict();
export const emailChangedAnswer = z.object({ email: z.string(), notified: z.boolean().describe("whether the old address could be told") }).strict();
export const accountAnswer = z.object({ account, kdf, wrappedVaultKey: z.string(), minIterations: z.number().int() }).strict();
export const recoveryStartAnswer = z.object({ recoveryWrappedVaultKey: z.string().describe("the vault key wrapped under the recovery key's KEK") }).strict();

export const fileView = z
  .object({
    id: z.string().uuid(),
    itemId: z.string().uuid().nullable().describe("null until a document is saved with it"),
    size: z.number().int().describe("bytes of the sealed file"),
    sha256: z.string(),
    wrappedKey: z.string(),
    createdAt: millis,
  })
  .strict()
  .meta({ id: "FileView" });
export const itemError = z
  .object({
    source: z.string().describe("the relying party's name"),
    kind: z.enum(ERROR_KINDS),
    field: z.string().optional(),
    fileId: z.string().optional(),
    message: z.string(),
    reportedAt: millis,
  })
  .strict();
export const itemView = z
  .object({
    id: z.string().uuid(),
    type: z.enum(DOCUMENT_TYPES),
    version: z.number().int(),
    ciphertext: z.string().describe("the sealed document, base64url"),
    wrappedKey: z.string(),
    size: z.number().int(),
    verification: z.enum(["verified", "unverified"]),
    errors: z.array(itemError).describe("errors reported by relying parties on this version"),
    createdAt: millis,
    updatedAt: millis,
    files: z.array(fileView),
  })
  .strict()
  .meta({ id: "ItemView" });
export const vaultOverview = z
  .object({
    items: z.array(itemView),
    unattached: z.array(fileView).describe("uploads not yet saved with a document"),
    usage: z.number().int().describe("bytes used"),
    quota: z.number().int().describe("bytes allowed"),
    maxFileBytes: z.number().int(),
  })
  .strict();
export const emailSent = z.object({ sent: z.literal(true) }).strict();
export const attestationAnswer = z.object({ attestation: z.string().describe("a signed JWT to save with the email item") }).strict();

const shareLog = z.object({ types: z.array(z.string()), at: millis }).strict();
export const connectedAnswer = z
  .object({
    apps: z.array(
      z
        .object({
          clientId: z.string(),
          name: z.string(),
          logoUri: z.string().nullable(),
          scopes: z.array(z.string()),
          lastShared: millis.nullable(),
          log: z.array(shareLog),
        })
        .strict(),
    ),
    history: z.array(z.object({ clientId: z.string(), clientName: z.string(), types: z.array(z.string()), at: millis }).strict()),
  })
  .strict();
export const revokedAnswer = z.object({ revokedGrants: z.number().int().min(0) }).strict();

export const reportedAnswer = z.object({ reported: z.number().int().min(0).describe("reports stored") }).strict();

export const playgroundClient = z
  .object({ client_id: z.string(), expires_at: millis, redirect_uri: z.string() })
  .strict();

const want = z.enum(["no", "optional", "required"]);
export const consentData = z
  .object({
    client: z.object({ id: z.string(), name: z.string(), logoUri: z.string().nullable() }).strict(),
    issuer: z.string(),
    sub: z.string().describe("the holder's pairwise subject at this client"),
    nonce: z.string().optional(),
    request: z
      .object({
        entries: z.array(
          z
            .object({
              key: z.string().describe("a document type or a one-of group"),
              types: z.array(z.enum(DOCUMENT_TYPES)),
              options: z
                .object({ fields: z.array(z.string()).nullable(), essential: z.array(z.string()).describe("fields asked for as essential"), selfie: want, translation: want, nativeNames: want })
                .strict(),
            })
            .strict(),
        ),
        verifiedOnly: z.boolean(),
        verification: z
          .object({
            trustFrameworks: z.array(z.string()).nullable(),
            assuranceLevels: z.array(z.string()).nullable(),
            maxAgeSeconds: z.number().int().nullable(),
            evidence: z.array(z.string()).nullable(),
          })
          .strict()
          .nullable()
          .describe("the standard a verification must meet (the request's verification member); null: none asked"),
        derived: z
          .object({ claims: z.record(z.string(), want).describe("derived claims asked for; empty: identity verified only") })
          .strict()
          .nullable()
          .describe("claims without documents (the derived scope); null: not asked"),
      })
      .strict(),
    otherScopes: z.array(z.object({ name: z.string(), text: z.string() }).strict()),
    remembered: z.boolean().describe("consent was given before: the page may seal and continue at once"),
    encryptionKey: z.object({ jwk: z.record(z.string(), z.unknown()), alg: z.string() }).strict(),
  })
  .strict();
export const shareAnswer = z.object({ redirect: z.string().describe("where the browser goes next") }).strict();
