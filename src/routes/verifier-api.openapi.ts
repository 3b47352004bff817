// OpenAPI words for src/routes/verifier-api.ts and src/routes/vault-verification-api.ts; the
// schemas are the ones the routes parse with.
import { z } from "zod";
import { CSRF_ERRORS, COMMON_ERRORS, SESSION, SESSION_CSRF, SIGNED_IN_ERRORS, binary, fails, json, jsonBody, noContent, type Operation } from "../docs-api/describe.js";
import * as out from "./verifier-responses.js";
import { approveBody, holderKeysBody, keySetupBody, memberKeysBody, rejectBody, revokeBody, stateQuery, submitBody } from "./verifier-schemas.js";

const holderTags = ["Verification (holder)"];
const tags = ["Verifier console"];
const slug = z.string().describe("the verifier's slug");
const id = z.string().uuid();
const FORBIDDEN = { 403: fails("Not a member of this verifier (`forbidden`), the CSRF header is wrong (`csrf`), or the recovery key is not confirmed (`recovery_key_unconfirmed`).") };
const FORBIDDEN_GET = { 403: fails("Not a member of this verifier (`forbidden`), or the recovery key is not confirmed (`recovery_key_unconfirmed`).") };
const UNCONFIRMED = { 403: fails("The account's recovery key is not confirmed yet (`recovery_key_unconfirmed`).") };
const UNCONFIRMED_OR_CSRF = { 403: fails("The CSRF header is wrong (`csrf`), or the recovery key is not confirmed (`recovery_key_unconfirmed`).") };
const NO_VERIFIER = { 404: fails("No such verifier, submission, list or credential (`not_found`).") };

export const verifierApiDocs: Operation[] = [
  {
    method: "get",
    path: "/api/vault/holder-keys",
    tags: holderTags,
    summary: "The holder's key pairs (public, and private wrapped under the vault key)",
    security: SESSION,
    responses: { 200: json(out.holderKeysAnswer, "The keys, or null."), 401: fails("Not signed in (`unauthorized`)."), ...UNCONFIRMED },
  },
  {
    method: "put",
    path: "/api/vault/holder-keys",
    tags: holderTags,
    summary: "Store the holder's key pairs (once)",
    description: "Made in the browser; the private halves arrive wrapped under the vault key. A second set-up answers 409: open the stored keys instead.",
    security: SESSION_CSRF,
    request: { body: jsonBody(holderKeysBody) },
    responses: { 201: json(out.holderKeysAnswer, "Stored."), ...SIGNED_IN_ERRORS, ...UNCONFIRMED_OR_CSRF, 409: fails("The account has keys already (`conflict`).") },
  },
  {
    method: "get",
    path: "/api/verifiers",
    tags: holderTags,
    summary: "Verifiers a holder may submit to",
    description: "Active verifiers with keys: their issuer, trust framework, assurance level, evidence methods and encryption key.",
    responses: { 200: json(out.verifierList, "The list.") },
  },
  {
    method: "post",
    path: "/api/vault/submissions",
    tags: holderTags,
    summary: "Submit items to a verifier",
    description: "The browser seals the items (fields and file keys) to the verifier's encryption key. Items must be the holder's at their current version; files must belong to them. One open submission per item and verifier.",
    security: SESSION_CSRF,
    request: { body: jsonBody(submitBody) },
    responses: {
      201: json(out.submissionAnswer, "Submitted."),
      ...SIGNED_IN_ERRORS,
      ...UNCONFIRMED_OR_CSRF,
      404: fails("No such verifier (`not_found`)."),
      409: fails("An item changed meanwhile or is already waiting at this verifier (`conflict`), the verifier takes no submissions (`verifier_disabled`), or the holder has no keys yet."),
      429: fails("Too many submissions waiting for a decision (`too_many_submissions`)."),
    },
  },
  {
    method: "get",
    path: "/api/vault/submissions",
    tags: holderTags,
    summary: "The holder's submissions and their state",
    security: SESSION,
    responses: { 200: json(out.holderSubmissions, "Newest first, with rejection reasons."), 401: fails("Not signed in (`unauthorized`)."), ...UNCONFIRMED },
  },
  {
    method: "post",
    path: "/api/vault/submissions/{id}/withdraw",
    tags: holderTags,
    summary: "Withdraw a submission still waiting",
    security: SESSION_CSRF,
    request: { params: z.object({ id }) },
    responses: { 204: noContent("Withdrawn."), ...SIGNED_IN_ERRORS, ...UNCONFIRMED_OR_CSRF, 404: fails("No such submission (`not_found`)."), 409: fails("It was decided already (`conflict`).") },
  },
  {
    method: "get",
    path: "/api/vault/credentials",
    tags: holderTags,
    summary: "Credentials verifiers issued to the holder (sealed)",
    security: SESSION,
    responses: { 200: json(out.holderCredentials, "Each credential, sealed to the holder, with its verifier and state."), 401: fails("Not signed in (`unauthorized`)."), ...UNCONFIRMED },
  },
  {
    method: "get",
    path: "/api/verifiers/{slug}/console",
    tags,
    summary: "The console's start: the verifier, my sealed keys, members waiting for keys, counts",
    security: SESSION,
    request: { params: z.object({ slug }) },
    responses: { 200: json(out.consoleAnswer, "The console."), ...SIGNED_IN_ERRORS, ...FORBIDDEN_GET, ...NO_VERIFIER },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/keys",
    tags,
    summary: "First key set-up",
    description: "Public keys, my sealed private keys and the first status list token (signed with the new key). Compare-and-set: 409 if the verifier has keys.",
    security: SESSION_CSRF,
    request: { params: z.object({ slug }), body: jsonBody(keySetupBody) },
    responses: { 201: json(out.verifierAnswer, "The verifier with its keys."), ...COMMON_ERRORS, 401: fails("Not signed in (`unauthorized`)."), ...FORBIDDEN, ...NO_VERIFIER, 409: fails("Keys are set already (`conflict`).") },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/members/{accountId}/keys",
    tags,
    summary: "Share the keys with a member (sealed to their holder key)",
    security: SESSION_CSRF,
    request: { params: z.object({ slug, accountId: id }), body: jsonBody(memberKeysBody) },
    responses: { 204: noContent("Shared."), ...COMMON_ERRORS, 401: fails("Not signed in (`unauthorized`)."), ...FORBIDDEN, ...NO_VERIFIER, 409: fails("They have the keys already, or I do not (`conflict`).") },
  },
  {
    method: "get",
    path: "/api/verifiers/{slug}/submissions",
    tags,
    summary: "The queue (or submissions in a state)",
    security: SESSION,
    request: { params: z.object({ slug }), query: stateQuery },
    responses: { 200: json(out.queueAnswer, "Waiting ones oldest first, others newest first."), ...SIGNED_IN_ERRORS, ...FORBIDDEN_GET, ...NO_VERIFIER },
  },
  {
    method: "get",
    path: "/api/verifiers/{slug}/submissions/{id}",
    tags,
    summary: "One submission, sealed, with the holder's public keys",
    security: SESSION,
    request: { params: z.object({ slug, id }) },
    responses: { 200: json(out.submissionDetail, "The submission."), ...SIGNED_IN_ERRORS, ...FORBIDDEN_GET, ...NO_VERIFIER },
  },
  {
    method: "get",
    path: "/api/verifiers/{slug}/submissions/{id}/files/{fileId}",
    tags,
    summary: "A sealed scan of a waiting submission",
    security: SESSION,
    request: { params: z.object({ slug, id, fileId: id }) },
    responses: { 200: binary("The sealed bytes; the key is in the sealed submission."), ...SIGNED_IN_ERRORS, ...FORBIDDEN_GET, ...NO_VERIFIER, 409: fails("The submission was decided: its files are no longer shared (`conflict`)."), 410: fails("The file's data is missing (`blob_missing`).") },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/submissions/{id}/reserve",
    tags,
    summary: "Reserve status list indices for the credentials (before signing)",
    description: "Idempotent per submission: a second call returns the same indices.",
    security: SESSION_CSRF,
    request: { params: z.object({ slug, id }) },
    responses: { 200: json(out.reserveAnswer, "The list and an index per item."), ...SIGNED_IN_ERRORS, ...FORBIDDEN, ...NO_VERIFIER, 409: fails("The submission is decided, or the status lists are full (`conflict`).") },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/submissions/{id}/approve",
    tags,
    summary: "Approve: store the sealed credentials",
    description: "One credential per item, at the reserved status index. Only from `submitted` (compare-and-set). Items still at the submitted version are marked verified.",
    security: SESSION_CSRF,
    request: { params: z.object({ slug, id }), body: jsonBody(approveBody) },
    responses: { 204: noContent("Approved."), ...SIGNED_IN_ERRORS, ...FORBIDDEN, ...NO_VERIFIER, 409: fails("Decided already, or no indices reserved (`conflict`).") },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/submissions/{id}/reject",
    tags,
    summary: "Reject with per-field reasons",
    security: SESSION_CSRF,
    request: { params: z.object({ slug, id }), body: jsonBody(rejectBody) },
    responses: { 204: noContent("Rejected."), ...SIGNED_IN_ERRORS, ...FORBIDDEN, ...NO_VERIFIER, 409: fails("Decided already (`conflict`).") },
  },
  {
    method: "get",
    path: "/api/verifiers/{slug}/status/{listId}",
    tags,
    summary: "A status list's current token and version",
    security: SESSION,
    request: { params: z.object({ slug, listId: id }) },
    responses: { 200: json(out.statusAnswer, "The list."), ...SIGNED_IN_ERRORS, ...FORBIDDEN_GET, ...NO_VERIFIER },
  },
  {
    method: "post",
    path: "/api/verifiers/{slug}/credentials/{id}/revoke",
    tags,
    summary: "Revoke a credential: upload the list with its entry set",
    description: "The token must be signed with the verifier's key, set this credential's entry, keep every entry set before, and set no other; `version` is compared and set.",
    security: SESSION_CSRF,
    request: { params: z.object({ slug, id }), body: jsonBody(revokeBody) },
    responses: { 204: noContent("Revoked."), ...SIGNED_IN_ERRORS, ...FORBIDDEN, ...NO_VERIFIER, 409: fails("Revoked already, or the list changed meanwhile (`conflict`).") },
  },
];
