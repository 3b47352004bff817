// RFC 7591 client metadata ⇄ Passport's client input (client-schema.ts). Dynamic registration goes
// through the same schema as the admin page, the CLI and the console; this file only translates
// names, so the rules (https redirect URIs, keys for Passport scopes, algorithms) live in one place.
import { ValidationError } from "../errors.js";
import { isPassportScope } from "../sharing/scopes.js";
import type { ClientInputRaw } from "./client-schema.js";

/** The client metadata field carrying the stated purpose of Passport scopes (extraClientMetadata). */
export const PURPOSE = "passport_purpose";

/** Passport's field → the RFC 7591 / OIDC registration field, for error descriptions. */
const FIELD: Record<string, string> = {
  name: "client_name",
  logoUri: "logo_uri",
  redirectUris: "redirect_uris",
  postLogoutRedirectUris: "post_logout_redirect_uris",
  type: "token_endpoint_auth_method",
  tokenEndpointAuthMethod: "token_endpoint_auth_method",
  grantTypes: "grant_types",
  scopes: "scope",
  jwks: "jwks",
  jwksUri: "jwks_uri",
  subjectType: "subject_type",
  idTokenSignedResponseAlg: "id_token_signed_response_alg",
  idTokenEncryptedResponseAlg: "id_token_encrypted_response_alg",
  idTokenEncryptedResponseEnc: "id_token_encrypted_response_enc",
  userinfoSignedResponseAlg: "userinfo_signed_response_alg",
  userinfoEncryptedResponseAlg: "userinfo_encrypted_response_alg",
  userinfoEncryptedResponseEnc: "userinfo_encrypted_response_enc",
  purpose: PURPOSE,
};

/** Fields oidc-provider sets itself; everything else a client sends is translated or dropped. */
export const PROVIDER_FIELDS = ["client_id", "client_id_issued_at", "client_secret", "client_secret_expires_at"] as const;

/** An RFC 7591 error: `invalid_redirect_uri` or `invalid_client_metadata`, naming the field. */
export class RegistrationMetadataError extends ValidationError {
  constructor(
    readonly error: "invalid_redirect_uri" | "invalid_client_metadata",
    description: string,
  ) {
    super(description);
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const DEFAULT_NAME = "Dynamically registered client";

/** Client metadata from a registration request → the input the client schema validates. */
export function fromMetadata(m: Record<string, unknown>): { raw: ClientInputRaw; purpose: string | null } {
  // Anything that names `none` or RSA1_5 is refused outright, even in fields Passport does not keep.
  for (const [k, v] of Object.entries(m)) {
    if (/_(alg|enc)$/.test(k) && (v === "none" || v === "RSA1_5")) {
      throw new RegistrationMetadataError("invalid_client_metadata", `${k}: ${String(v)} is not allowed`);
    }
  }
  const responseTypes = m.response_types;
  if (responseTypes !== undefined && !(Array.isArray(responseTypes) && responseTypes.every((t) => t === "code"))) {
    throw new RegistrationMetadataError("invalid_client_metadata", "response_types: only code is supported");
  }
  const method = str(m.token_endpoint_auth_method) ?? "client_secret_basic";
  const raw: Record<string, unknown> = {
    name: m.client_name ?? DEFAULT_NAME,
    logoUri: m.logo_uri,
    redirectUris: m.redirect_uris,
    postLogoutRedirectUris: m.post_logout_redirect_uris,
    type: method === "none" ? "public" : "confidential",
    tokenEndpointAuthMethod: method,
    grantTypes: m.grant_types,
    scopes: m.scope === undefined ? undefined : typeof m.scope === "string" ? m.scope.split(" ").filter(Boolean) : m.scope,
    jwks: m.jwks,
    jwksUri: m.jwks_uri,
    subjectType: m.subject_type,
    idTokenSignedResponseAlg: m.id_token_signed_response_alg,
    idTokenEncryptedResponseAlg: m.id_token_encrypted_response_alg,
    idTokenEncryptedResponseEnc: m.id_token_encrypted_response_enc,
    userinfoSignedResponseAlg: m.userinfo_signed_response_alg,
    userinfoEncryptedResponseAlg: m.userinfo_encrypted_response_alg,
    userinfoEncryptedResponseEnc: m.userinfo_encrypted_response_enc,
  };
  for (const k of Object.keys(raw)) if (raw[k] === undefined || raw[k] === null) delete raw[k];
  // Passport data is sealed to the client's encryption key: without one, Passport scopes could only
  // fail at every authorization, so the registration is refused instead.
  if (Array.isArray(raw.scopes) && raw.scopes.some((sc) => typeof sc === "string" && isPassportScope(sc)) && !raw.jwks && !raw.jwksUri) {
    throw new RegistrationMetadataError("invalid_client_metadata", "scope: Passport scopes need the client's encryption key (jwks or jwks_uri)");
  }
  const purpose = m[PURPOSE];
  if (purpose !== undefined && purpose !== null && typeof purpose !== "string") {
    throw new RegistrationMetadataError("invalid_client_metadata", `${PURPOSE}: must be a string`);
  }
  return { raw: raw as ClientInputRaw, purpose: (purpose as string | null | undefined) ?? null };
}

/** A ValidationError from the client schema → the RFC 7591 error naming the registration field. */
export function toRegistrationError(err: ValidationError): RegistrationMetadataError {
  if (err instanceof RegistrationMetadataError) return err;
  const entries = Object.entries(err.fields);
  if (entries.length === 0) return new RegistrationMetadataError("invalid_client_metadata", err.message.replace(/^invalid client: /, ""));
  const described = entries.map(([k, v]) => {
    const top = k.split(".")[0]!;
    return { field: FIELD[top] ?? (top === "_" ? "" : top), message: v };
  });
  // RFC 7591: invalid_redirect_uri is about redirect_uris; every other field is invalid_client_metadata.
  const code = described.some((d) => d.field === "redirect_uris") ? "invalid_redirect_uri" : "invalid_client_metadata";
  const first = described.find((d) => code !== "invalid_redirect_uri" || d.field === "redirect_uris") ?? described[0]!;
  const rest = described.filter((d) => d !== first);
  const text = [first, ...rest].map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join("; ");
  return new RegistrationMetadataError(code, text);
}

