// The relying-party registration form of the admin pages: form fields ⇄ ClientService input.
// Zod parses the edge (text to lists, JSON text to an object); ClientService then applies the
// rules (URIs, keys, algorithms) and names the failing field, which the page shows beside it.
import { z } from "zod";
import { supportedAlgorithms } from "../oidc/algorithms.js";
import { SCOPES } from "../oidc/claims.js";
import { fromZod, ValidationError } from "../errors.js";
import { type ClientInput, clientInputSchema, GRANT_TYPES } from "../services/client-schema.js";

const TEXT_FIELDS = [
  "name",
  "logoUri",
  "redirectUris",
  "postLogoutRedirectUris",
  "type",
  "tokenEndpointAuthMethod",
  "jwks",
  "jwksUri",
  "subjectType",
  "idTokenSignedResponseAlg",
  "idTokenEncryptedResponseAlg",
  "idTokenEncryptedResponseEnc",
  "userinfoSignedResponseAlg",
  "userinfoEncryptedResponseAlg",
  "userinfoEncryptedResponseEnc",
] as const;
const LIST_FIELDS = ["grantTypes", "scopes"] as const;

/** What the form shows: every field as the admin typed it. */
export type ClientFormValues = Record<(typeof TEXT_FIELDS)[number], string> & Record<(typeof LIST_FIELDS)[number], string[]>;

/** Field labels, for the summary above the form. */
export const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  logoUri: "Logo URL",
  redirectUris: "Redirect URIs",
  postLogoutRedirectUris: "Post-logout redirect URIs",
  type: "Client type",
  tokenEndpointAuthMethod: "Token endpoint auth method",
  grantTypes: "Grant types",
  scopes: "Allowed scopes",
  jwks: "JWKS",
  jwksUri: "JWKS URI",
  subjectType: "Subject type",
  idTokenSignedResponseAlg: "ID token signing algorithm",
  idTokenEncryptedResponseAlg: "ID token encryption algorithm",
  idTokenEncryptedResponseEnc: "ID token encryption encoding",
  userinfoSignedResponseAlg: "Userinfo signing algorithm",
  userinfoEncryptedResponseAlg: "Userinfo encryption algorithm",
  userinfoEncryptedResponseEnc: "Userinfo encryption encoding",
};

/** Choices the form offers; scopes come from the provider's list so new scopes appear by themselves. */
export function formOptions(subjectTypes: readonly string[], defaultSigningAlg: string) {
  return {
    defaultSigningAlg,
    types: ["confidential", "public"],
    authMethods: supportedAlgorithms.tokenEndpointAuthMethods,
    grantTypes: GRANT_TYPES,
    scopes: SCOPES,
    subjectTypes,
    signing: supportedAlgorithms.signing,
    encryption: supportedAlgorithms.encryption,
    encryptionEnc: supportedAlgorithms.encryptionEnc,
  };
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

const lines = z
  .string()
  .optional()
  .transform((v) => (v ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean));

/** Checkboxes: absent when none is ticked, a string for one, an array for several. */
const checked = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat()));

const jsonText = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const text = v?.trim();
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON" });
      return z.NEVER;
    }
  });

/** The form's fields at the edge: text to lists, JSON text to an object; ClientService checks the rest. */
const clientFormSchema = z.object({
  name: z.string().default(""),
  logoUri: optionalText,
  redirectUris: lines,
  postLogoutRedirectUris: lines,
  type: z.string().default(""),
  tokenEndpointAuthMethod: z.string().default(""),
  grantTypes: checked,
  scopes: checked,
  jwks: jsonText,
  jwksUri: optionalText,
  subjectType: optionalText,
  idTokenSignedResponseAlg: optionalText,
  idTokenEncryptedResponseAlg: optionalText,
  idTokenEncryptedResponseEnc: optionalText,
  userinfoSignedResponseAlg: optionalText,
  userinfoEncryptedResponseAlg: optionalText,
  userinfoEncryptedResponseEnc: optionalText,
});

/** Fields whose rules need the keys: while the JWKS is unreadable their "needs a key" would mislead. */
const KEY_DEPENDENT = ["idTokenEncryptedResponseAlg", "userinfoEncryptedResponseAlg"];

/**
 * The submitted form → input for ClientService.create/update. Each field is read on its own, so an
 * unreadable one (JSON that does not parse) does not hide the other fields' problems: those are
 * collected with the client schema and reported together, for one round of corrections.
 */
export function parseClientForm(body: unknown): Record<string, unknown> {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  const unreadable: Record<string, string> = {};
  for (const [key, schema] of Object.entries(clientFormSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(b[key]);
    if (r.success) input[key] = r.data;
    else unreadable[key] = r.error.issues[0]?.message ?? "is not valid";
  }
  if (!Object.keys(unreadable).length) return input;
  const rest = clientInputSchema.safeParse(input);
  const others = rest.success ? {} : fromZod(rest.error).fields;
  if (unreadable.jwks) for (const k of KEY_DEPENDENT) delete others[k];
  const fields = { ...others, ...unreadable };
  throw new ValidationError(`invalid client: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("; ")}`, fields);
}

/** The submitted fields as typed, to show the form again after an error. Non-strings are dropped. */
export function submittedValues(body: unknown): ClientFormValues {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const values = emptyValues();
  for (const f of TEXT_FIELDS) values[f] = typeof b[f] === "string" ? b[f] : "";
  for (const f of LIST_FIELDS) values[f] = [b[f]].flat().filter((x): x is string => typeof x === "string");
  return values;
}

/** A registered client as form values, for the edit page. */
export function valuesFromInput(input: ClientInput): ClientFormValues {
  return {
    name: input.name,
    logoUri: input.logoUri ?? "",
    redirectUris: input.redirectUris.join("\n"),
    postLogoutRedirectUris: input.postLogoutRedirectUris.join("\n"),
    type: input.type,
    tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
    grantTypes: [...input.grantTypes],
    scopes: [...input.scopes],
    jwks: input.jwks ? JSON.stringify(input.jwks, null, 2) : "",
    jwksUri: input.jwksUri ?? "",
    subjectType: input.subjectType ?? "",
    idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? "",
    idTokenEncryptedResponseAlg: input.idTokenEncryptedResponseAlg ?? "",
    idTokenEncryptedResponseEnc: input.idTokenEncryptedResponseEnc ?? "",
    userinfoSignedResponseAlg: input.userinfoSignedResponseAlg ?? "",
    userinfoEncryptedResponseAlg: input.userinfoEncryptedResponseAlg ?? "",
    userinfoEncryptedResponseEnc: input.userinfoEncryptedResponseEnc ?? "",
  };
}

/** A new registration: a confidential web app with the usual scopes. */
export function newClientValues(defaultSubjectType: string): ClientFormValues {
  return {
    ...emptyValues(),
    type: "confidential",
    tokenEndpointAuthMethod: "client_secret_basic",
    grantTypes: ["authorization_code", "refresh_token"],
    scopes: SCOPES.filter((s) => ["openid", "email", "offline_access"].includes(s)),
    subjectType: defaultSubjectType,
  };
}

/**
 * Field errors grouped by form field: `redirectUris.1` is shown beside the redirect URIs as
 * "URI 2: …". Errors not tied to a field (`_`) stay in the summary only.
 */
export function errorsByField(fields: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, message] of Object.entries(fields)) {
    const [top, ...rest] = key.split(".");
    if (!top || top === "_") continue;
    (out[top] ??= []).push(rest.length ? `${describePath(top, rest)}: ${message}` : message);
  }
  return out;
}

/** The summary list above the form: each message with the label of its field. */
export function errorSummary(fields: Record<string, string>, fallback: string): string[] {
  const entries = Object.entries(fields);
  if (!entries.length) return [fallback];
  return entries.map(([key, message]) => {
    const [top, ...rest] = key.split(".");
    if (!top || top === "_") return message;
    const label = FIELD_LABELS[top] ?? top;
    return rest.length ? `${label}, ${describePath(top, rest)}: ${message}` : `${label}: ${message}`;
  });
}

function describePath(top: string, rest: string[]): string {
  const index = Number(rest[0]);
  if ((top === "redirectUris" || top === "postLogoutRedirectUris") && Number.isInteger(index)) return `URI ${index + 1}`;
  return rest.join(".");
}

function emptyValues(): ClientFormValues {
  const values = { grantTypes: [] as string[], scopes: [] as string[] } as ClientFormValues;
  for (const f of TEXT_FIELDS) values[f] = "";
  return values;
}
