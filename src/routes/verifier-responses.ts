// Shapes of the verifier API's answers, for the OpenAPI description (checked against real answers
// by test/docs/openapi.test.ts).
import { z } from "zod";
import { DOCUMENT_TYPES } from "../documents/types.js";
import { ERROR_KINDS } from "../services/sharing.js";

const millis = z.number().int().describe("milliseconds since the epoch");
const jwk = z.record(z.string(), z.unknown()).describe("a public JWK");
const state = z.enum(["submitted", "approved", "rejected", "withdrawn"]);
const submittedItem = z.object({ itemId: z.string().uuid(), type: z.enum(DOCUMENT_TYPES), version: z.number().int() }).strict();
const reason = z.object({ itemType: z.enum(DOCUMENT_TYPES), kind: z.enum(ERROR_KINDS), field: z.string().optional(), message: z.string() }).strict();

export const holderKeysAnswer = z
  .object({
    holderKeys: z.object({ signingJwk: jwk, encryptionJwk: jwk, wrapped: z.string(), createdAt: millis }).strict().nullable().describe("null until the holder's browser made them"),
  })
  .strict();

export const publicVerifier = z
  .object({
    slug: z.string(),
    name: z.string(),
    issuer: z.string().describe("the SD-JWT VC issuer (iss) of its credentials"),
    metadata_uri: z.string().describe("its SD-JWT VC issuer metadata (signing keys): /.well-known/jwt-vc-issuer before the issuer's path"),
    trust_framework: z.string(),
    assurance_level: z.string(),
    evidence_methods: z.array(z.string()),
    encryption_jwk: jwk.describe("what a submission is sealed to"),
    accepts: z.array(z.enum(DOCUMENT_TYPES)),
  })
  .strict();
export const verifierList = z.object({ verifiers: z.array(publicVerifier) }).strict();

export const holderSubmission = z
  .object({
    id: z.string().uuid(),
    verifier: z.object({ slug: z.string(), name: z.string() }).strict(),
    items: z.array(submittedItem),
    fileIds: z.array(z.string().uuid()),
    state,
    reasons: z.array(reason),
    createdAt: millis,
    updatedAt: millis,
    decidedAt: millis.nullable(),
  })
  .strict();
export const submissionAnswer = z.object({ submission: holderSubmission }).strict();
export const holderSubmissions = z.object({ submissions: z.array(holderSubmission) }).strict();

export const holderCredentials = z
  .object({
    credentials: z.array(
      z
        .object({
          id: z.string().uuid(),
          itemId: z.string().uuid(),
          itemVersion: z.number().int(),
          type: z.enum(DOCUMENT_TYPES),
          verifier: z.object({ slug: z.string(), name: z.string(), issuer: z.string(), trust_framework: z.string(), assurance_level: z.string() }).strict().nullable(),
          verification: z.unknown().describe("public verification metadata"),
          sealed: z.string().describe("the SD-JWT VC sealed to the holder's encryption key"),
          issuedAt: millis,
          expiresAt: millis.nullable(),
          revoked: z.boolean(),
          current: z.boolean().describe("the credential is for the item's current version"),
        })
        .strict(),
    ),
  })
  .strict();

const verifierView = z
  .object({
    id: z.string().uuid(),
    slug: z.string(),
    name: z.string(),
    issuer: z.string(),
    trustFramework: z.string(),
    assuranceLevel: z.string(),
    evidenceMethods: z.array(z.string()),
    externalIssuer: z.string().nullable(),
    signingJwk: jwk.nullable(),
    encryptionJwk: jwk.nullable(),
    status: z.enum(["active", "disabled"]),
    createdAt: millis,
  })
  .strict();
export const verifierAnswer = z.object({ verifier: verifierView }).strict();

export const consoleAnswer = z
  .object({
    verifier: verifierView,
    sealedKeys: z.string().nullable().describe("the verifier's private keys sealed to my holder encryption key; null until shared with me"),
    waiting: z.array(z.object({ accountId: z.string(), email: z.string(), encryptionJwk: jwk }).strict()).describe("members without the keys who have holder keys to seal them to"),
    counts: z.record(z.string(), z.number().int()).describe("submissions per state"),
    statusLists: z.array(z.object({ id: z.string().uuid(), uri: z.string(), size: z.number().int(), used: z.number().int(), version: z.number().int() }).strict()),
    statusListSize: z.number().int().describe("entries a new status list should have (VERIFIER_STATUS_LIST_SIZE)"),
  })
  .strict();

const summary = { id: z.string().uuid(), state, items: z.array(submittedItem), createdAt: millis, updatedAt: millis, decidedAt: millis.nullable() };
export const queueAnswer = z.object({ submissions: z.array(z.object(summary).strict()) }).strict();
export const submissionDetail = z
  .object({
    ...summary,
    sealed: z.string().describe("the sealed submission (typ passport-submission+jwe)"),
    fileIds: z.array(z.string().uuid()),
    holderSigningJwk: jwk.nullable().describe("the key the credential binds to (cnf)"),
    holderEncryptionJwk: jwk.nullable().describe("the key the credential is sealed to"),
    reasons: z.array(reason),
    credentials: z.array(
      z.object({ id: z.string().uuid(), itemId: z.string().uuid(), docType: z.string(), statusListId: z.string().uuid(), statusIndex: z.number().int(), issuedAt: millis, expiresAt: millis.nullable(), revokedAt: millis.nullable() }).strict(),
    ),
  })
  .strict();
export const reserveAnswer = z
  .object({
    statusList: z.object({ id: z.string().uuid(), uri: z.string().describe("status.status_list.uri of the credentials") }).strict(),
    indices: z.record(z.string(), z.number().int()).describe("item id → status index"),
  })
  .strict();
export const statusAnswer = z
  .object({ id: z.string().uuid(), uri: z.string(), token: z.string().describe("the current status list JWT"), version: z.number().int(), size: z.number().int(), used: z.number().int() })
  .strict();
