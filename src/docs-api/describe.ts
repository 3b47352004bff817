// Small helpers for the route-adjacent descriptions (src/routes/*.openapi.ts): each names the words
// (summary, per-status descriptions) and points at the zod schemas the route parses with, so the
// description cannot drift from validation.
import type { ResponseConfig, RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { ZodType } from "zod";
import { problem } from "./responses.js";

export type Operation = RouteConfig;

/** A JSON answer. */
export const json = (schema: ZodType, description: string): ResponseConfig => ({ description, content: { "application/json": { schema } } });

/** An error answer: a problem document from src/errors.ts. */
export const fails = (description: string): ResponseConfig => ({ description, content: { "application/problem+json": { schema: problem } } });

export const noContent = (description: string): ResponseConfig => ({ description });

/** Sealed bytes (ciphertext the server cannot read). */
export const binary = (description: string): ResponseConfig => ({
  description,
  headers: { "x-content-sha256": { description: "SHA-256 of the sealed bytes, hex", schema: { type: "string" } } },
  content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } },
});

/** A JSON request body parsed with `schema`. */
export const jsonBody = (schema: ZodType, description?: string) => ({ required: true, ...(description ? { description } : {}), content: { "application/json": { schema } } });

// Security requirements (schemes in document.ts). Unsafe methods of ours also need the CSRF header.
type Security = Record<string, string[]>[];
export const SESSION: Security = [{ session: [] }];
export const SESSION_CSRF: Security = [{ session: [], csrf: [] }];
export const CSRF: Security = [{ csrf: [] }];
export const BEARER: Security = [{ bearer: [] }];
/** client_secret_basic, or (the empty requirement) client authentication in the body, which OpenAPI cannot name. */
export const CLIENT: Security = [{ clientSecretBasic: [] }, {}];

/** Errors every JSON call of ours may answer. */
export const COMMON_ERRORS = {
  400: fails("The request is malformed: `fields` names each wrong field."),
  413: fails("The body is larger than BODY_LIMIT."),
};
/** Errors of calls for the signed-in holder. */
export const SIGNED_IN_ERRORS = {
  ...COMMON_ERRORS,
  401: fails("Not signed in (`unauthorized`)."),
};
/** Errors of unsafe calls (POST, PUT, DELETE) that carry the CSRF token. */
export const CSRF_ERRORS = {
  403: fails("The `x-csrf-token` header does not match the CSRF cookie (`csrf`)."),
};
