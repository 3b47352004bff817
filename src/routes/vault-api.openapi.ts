// OpenAPI words for src/routes/vault-api.ts; the schemas are the ones the routes parse with.
import { z } from "zod";
import { CSRF_ERRORS, SESSION, SESSION_CSRF, SIGNED_IN_ERRORS, binary, fails, json, jsonBody, noContent, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";

/** The vault opens only once the holder has confirmed the recovery key (issue 11). */
const UNCONFIRMED = { 403: fails("The account's recovery key is not confirmed yet (`recovery_key_unconfirmed`): the holder finishes that at /recovery-key.") };
const UNCONFIRMED_OR_CSRF = {
  403: fails("The `x-csrf-token` header does not match the CSRF cookie (`csrf`), or the account's recovery key is not confirmed yet (`recovery_key_unconfirmed`)."),
};
import { DOCUMENT_TYPES } from "../documents/types.js";
import { codeBody, deleteQuery, emailBody, saveItemBody, uploadQuery, uuid, wrappedItemKey } from "./vault-api.js";

const tags = ["Vault"];
const typeParam = z.object({ type: z.enum(DOCUMENT_TYPES).describe("the document type") });
const fileParam = z.object({ id: uuid });

export const vaultApiDocs: Operation[] = [
  {
    method: "get",
    path: "/api/vault",
    tags,
    summary: "The holder's sealed documents and files",
    security: SESSION,
    responses: { 200: json(out.vaultOverview, "Every item (sealed) with its files, uploads not yet saved, and the quota."), 401: fails("Not signed in (`unauthorized`)."), ...UNCONFIRMED },
  },
  {
    method: "put",
    path: "/api/vault/items/{type}",
    tags,
    summary: "Save a document (one per type)",
    description: "The browser seals the document with a new version number in its AAD and sends the version it edited (0 for a new one); the save happens only if that is still current.",
    security: SESSION_CSRF,
    request: { params: typeParam, body: jsonBody(saveItemBody) },
    responses: {
      200: json(out.itemView, "The saved item."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      404: fails("Unknown document type (`not_found`)."),
      409: fails("The document was changed meanwhile (`conflict`): reload and edit again."),
    },
  },
  {
    method: "delete",
    path: "/api/vault/items/{type}",
    tags,
    summary: "Delete a document and its files",
    security: SESSION_CSRF,
    request: { params: typeParam, query: deleteQuery },
    responses: {
      204: noContent("Deleted."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      404: fails("There is no such document (`not_found`)."),
      409: fails("The document was changed meanwhile (`conflict`)."),
    },
  },
  {
    method: "post",
    path: "/api/vault/files",
    tags,
    summary: "Upload a sealed file",
    description: "The body is the sealed file (application/octet-stream), streamed to storage. It counts against the quota until saved with a document, or is dropped after a while.",
    security: SESSION_CSRF,
    request: {
      query: uploadQuery,
      headers: z.object({ "x-wrapped-key": wrappedItemKey }),
      body: { required: true, content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } },
    },
    responses: {
      201: json(out.fileView, "The file is stored."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      409: fails("A file with this id already exists (`conflict`)."),
      413: fails("The file is larger than MAX_FILE_BYTES (`too_large`) or the vault is full (`quota_exceeded`)."),
    },
  },
  {
    method: "get",
    path: "/api/vault/files/{id}",
    tags,
    summary: "Download a sealed file",
    security: SESSION,
    request: { params: fileParam },
    responses: { 200: binary("The sealed bytes."), ...SIGNED_IN_ERRORS, ...UNCONFIRMED, 404: fails("No such file (`not_found`)."), 410: fails("The file's data is missing from storage (`blob_missing`).") },
  },
  {
    method: "delete",
    path: "/api/vault/files/{id}",
    tags,
    summary: "Delete an upload not saved with a document",
    security: SESSION_CSRF,
    request: { params: fileParam },
    responses: {
      204: noContent("Deleted."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      404: fails("No such file (`not_found`)."),
      409: fails("The file belongs to a document (`conflict`): remove it from the document instead."),
    },
  },
  {
    method: "post",
    path: "/api/vault/email/send",
    tags,
    summary: "Send an email verification code",
    security: SESSION_CSRF,
    request: { body: jsonBody(emailBody) },
    responses: {
      202: json(out.emailSent, "A 6-digit code is on its way."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      429: fails("Too many codes asked for (`too_many_attempts`); `retry-after` says how long to wait."),
    },
  },
  {
    method: "post",
    path: "/api/vault/email/verify",
    tags,
    summary: "Check an email verification code",
    security: SESSION_CSRF,
    request: { body: jsonBody(codeBody) },
    responses: {
      200: json(out.attestationAnswer, "The code is right: save the attestation (Passport's SD-JWT VC of the address, bound to `holderJwk`) with the email document to mark it verified."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      400: fails("Wrong or expired code (`code`), or `holderJwk` is not the account's registered holder signing key, or the account has none yet (`holderJwk`)."),
      429: fails("Too many attempts (`too_many_attempts`)."),
    },
  },
];
