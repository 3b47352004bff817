// Input shapes of the verifier API (src/routes/verifier-api.ts) and the holder's verification
// calls (src/routes/vault-verification-api.ts). Keys must be public P-256 JWKs; sealed parts must
// look like compact JWEs (the services check their headers); nothing sealed is opened here.
import { z } from "zod";
import { DOCUMENT_TYPES } from "../documents/types.js";
import { ERROR_KINDS } from "../services/sharing.js";
import { publicEcJwk, signingJwk } from "../services/public-jwk.js";

const uuid = z.string().uuid("must be a UUID");
/** A compact JWE or JWS: base64url parts separated by dots. */
const compact = (max: number) => z.string().min(20, "is too short").max(max, "is too long").regex(/^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,4}$/, "is not a compact JWE/JWT");
export const slugParam = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, "is not a verifier slug");

export const holderKeysBody = z.object({
  signingJwk: publicEcJwk,
  encryptionJwk: publicEcJwk,
  wrapped: z.string().min(20).max(20_000).describe("the private keys wrapped under the vault key (opaque to the server)"),
});

export const submitBody = z.object({
  verifier: slugParam.describe("the verifier's slug"),
  items: z.array(z.object({ itemId: uuid, version: z.number().int().min(1) })).min(1, "choose at least one item").max(10),
  sealed: compact(4_000_000).describe("the items and their file keys, sealed to the verifier's encryption key (typ passport-submission+jwe)"),
  fileIds: z.array(uuid).max(200).default([]),
});

export const stateQuery = z.object({ state: z.enum(["submitted", "approved", "rejected", "withdrawn"]).optional() });

export const keySetupBody = z.object({
  signingJwk: signingJwk.describe("the verifier's public ES256 key, with its kid"),
  encryptionJwk: publicEcJwk.describe("the verifier's public ECDH-ES P-256 key"),
  sealedKeys: compact(50_000).nullable().default(null).describe("the private keys sealed to my holder encryption key (typ passport-verifier-keys+jwe)"),
  statusListToken: compact(2_000_000).describe("the first Token Status List JWT, signed with the new key; its sub is the list's URI: the verifier's issuer URL, then /status/ and a new UUID"),
});

export const memberKeysBody = z.object({ sealedKeys: compact(50_000) });

export const approveBody = z.object({
  credentials: z
    .array(
      z.object({
        itemId: uuid,
        sealed: compact(200_000).describe("the SD-JWT VC sealed to the holder's encryption key (typ passport-credential+jwe)"),
        statusListId: uuid,
        statusIndex: z.number().int().min(0),
        verification: z.record(z.string(), z.unknown()).describe("the public verification metadata (trust_framework, assurance_level, time, evidence without document data)"),
        expiresAt: z.number().int().min(0).describe("milliseconds since the epoch"),
      }),
    )
    .min(1)
    .max(10),
});

export const rejectBody = z.object({
  reasons: z
    .array(
      z.object({
        itemType: z.enum(DOCUMENT_TYPES),
        kind: z.enum(ERROR_KINDS),
        field: z.string().min(1).max(64).optional(),
        message: z.string().trim().min(1, "say what is wrong").max(500),
      }),
    )
    .min(1, "give at least one reason")
    .max(50),
});

export const revokeBody = z.object({
  token: compact(2_000_000).describe("the new status list JWT with this credential's entry set"),
  version: z.number().int().min(1).describe("the list's version the token was made from"),
});

export const idParams = { uuid };
