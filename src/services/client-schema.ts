// What an admin may register for a relying party, validated with messages that name the field.
// The admin form, the CLI and tests all go through `clientInputSchema`.
import { z } from "zod";
import { supportedAlgorithms } from "../oidc/algorithms.js";
import { isPassportScope } from "../sharing/scopes.js";
import { pickEncryptionKey } from "../sharing/payload.js";
import { forbiddenHost } from "./outbound-address.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https anywhere; http only on loopback (RFC 8252 native apps and local development); never a fragment. */
const redirectUri = z
  .string()
  .trim()
  .max(2000)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value}" is not an absolute URL` });
      return;
    }
    if (url.hash || value.includes("#")) ctx.addIssue({ code: "custom", message: `"${value}" must not contain a fragment (#)` });
    if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
      ctx.addIssue({ code: "custom", message: `"${value}" uses http outside loopback; use https` });
    } else if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `"${value}" must use https (or http on loopback)` });
    }
  });

const publicJwk = z
  .object({
    kty: z.enum(["RSA", "EC", "OKP"], { message: "kty must be RSA, EC or OKP" }),
    kid: z.string().max(200).optional(),
    use: z.enum(["sig", "enc"]).optional(),
    alg: z.string().max(50).optional(),
  })
  .passthrough()
  .superRefine((k, ctx) => {
    if ("d" in k || "p" in k || "k" in k) ctx.addIssue({ code: "custom", message: "a private or symmetric key was pasted; register only public keys" });
    const need = k.kty === "RSA" ? ["n", "e"] : k.kty === "EC" ? ["crv", "x", "y"] : ["crv", "x"];
    for (const m of need) if (typeof (k as Record<string, unknown>)[m] !== "string") ctx.addIssue({ code: "custom", message: `${k.kty} key lacks "${m}"` });
  });

export const jwksSchema = z.object({ keys: z.array(publicJwk).min(1, "JWKS has no keys").max(20) }, { message: "must be a JSON Web Key Set: {\"keys\": [...]}" });

const optAlg = (values: readonly string[], name: string) =>
  z.enum(values as [string, ...string[]], { message: `${name} must be one of ${values.join(", ")}` }).optional();

export const GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"] as const;

export const clientInputSchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(100, "name is too long (100 characters at most)"),
    logoUri: z
      .string()
      .trim()
      .url("logo URL must be an absolute URL")
      .refine((u) => u.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(u), "logo URL must use https")
      .optional(),
    redirectUris: z.array(redirectUri).max(20, "20 redirect URIs at most").default([]),
    postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
    type: z.enum(["confidential", "public"], { message: "type must be confidential or public" }),
    tokenEndpointAuthMethod: z.enum(supportedAlgorithms.tokenEndpointAuthMethods as unknown as [string, ...string[]], {
      message: `token endpoint auth method must be one of ${supportedAlgorithms.tokenEndpointAuthMethods.join(", ")}`,
    }),
    grantTypes: z.array(z.enum(GRANT_TYPES, { message: `grant type must be one of ${GRANT_TYPES.join(", ")}` })).min(1, "choose at least one grant type").default(["authorization_code", "refresh_token"]),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "scope has an invalid character")).default(["openid", "email", "offline_access"]),
    jwks: jwksSchema.optional(),
    jwksUri: z.string().trim().url("JWKS URI must be an absolute URL").startsWith("https://", "JWKS URI must use https").optional(),
    subjectType: z.enum(["pairwise", "public"]).optional(),
    idTokenSignedResponseAlg: optAlg(supportedAlgorithms.signing, "ID token signing algorithm"),
    idTokenEncryptedResponseAlg: optAlg(supportedAlgorithms.encryption, "ID token encryption algorithm"),
    idTokenEncryptedResponseEnc: optAlg(supportedAlgorithms.encryptionEnc, "ID token encryption encoding"),
    userinfoSignedResponseAlg: optAlg(supportedAlgorithms.signing, "userinfo signing algorithm"),
    userinfoEncryptedResponseAlg: optAlg(supportedAlgorithms.encryption, "userinfo encryption algorithm"),
    userinfoEncryptedResponseEnc: optAlg(supportedAlgorithms.encryptionEnc, "userinfo encryption encoding"),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (c.type === "public" && c.tokenEndpointAuthMethod !== "none") issue("tokenEndpointAuthMethod", "a public client authenticates with none");
    if (c.type === "confidential" && c.tokenEndpointAuthMethod === "none") issue("tokenEndpointAuthMethod", "a confidential client needs an authentication method other than none");
    if (c.type === "public" && c.grantTypes.includes("client_credentials")) issue("grantTypes", "a public client cannot use client_credentials");
    if (c.grantTypes.includes("authorization_code") && c.redirectUris.length === 0) issue("redirectUris", "at least one redirect URI is required");
    if (c.grantTypes.includes("refresh_token") && !c.grantTypes.includes("authorization_code")) issue("grantTypes", "refresh_token needs authorization_code");
    if (c.jwks && c.jwksUri) issue("jwksUri", "give either an inline JWKS or a JWKS URI, not both");
    const hasKeys = Boolean(c.jwks || c.jwksUri);
    if (c.tokenEndpointAuthMethod === "private_key_jwt" && !hasKeys) issue("jwks", "private_key_jwt needs the client's public signing keys (JWKS or JWKS URI)");
    const passportProblem = passportKeyProblem(c);
    if (passportProblem) issue("jwks", passportProblem);
    for (const [prefix, label] of [["idToken", "ID token"], ["userinfo", "userinfo"]] as const) {
      const alg = c[`${prefix}EncryptedResponseAlg`];
      const enc = c[`${prefix}EncryptedResponseEnc`];
      if (enc && !alg) issue(`${prefix}EncryptedResponseAlg`, `${label} encryption encoding is set without an encryption algorithm`);
      if (!alg) continue;
      if (!hasKeys) issue(`${prefix}EncryptedResponseAlg`, `${label} encryption algorithm ${alg} needs the client's encryption key (JWKS or JWKS URI)`);
      else if (c.jwks && !c.jwks.keys.some((k) => keyFitsAlg(k, alg))) {
        issue(`${prefix}EncryptedResponseAlg`, `no key in the JWKS can be used with ${alg}`);
      }
    }
  });

/**
 * Passport data is sealed to the client's public encryption key, so a client allowed Passport
 * scopes without one could only fail at every sign-in (invalid_scope): refuse it when registered.
 * A JWKS URI is fetched at sharing time, so only an inline JWKS can be checked here.
 */
function passportKeyProblem(c: { scopes: string[]; jwks?: z.output<typeof jwksSchema>; jwksUri?: string }): string | null {
  const passport = c.scopes.filter(isPassportScope);
  if (!passport.length || c.jwksUri) return null;
  const what = `Passport scopes (${passport.join(", ")}) need the client's public encryption key`;
  const add = `add an RSA key (RSA-OAEP-256) or an EC P-256 / X25519 key (ECDH-ES+A256KW) with "use": "enc" to the JWKS, or give a JWKS URI`;
  if (!c.jwks) return `${what}: ${add}`;
  return pickEncryptionKey(c.jwks as never) ? null : `${what}, and the JWKS has none Passport can encrypt to (only signing keys): ${add}`;
}

export type ClientInput = z.output<typeof clientInputSchema>;
export type ClientInputRaw = z.input<typeof clientInputSchema>;

function keyFitsAlg(k: { kty: string; use?: string; alg?: string; crv?: unknown }, alg: string): boolean {
  if (k.use === "sig" || (k.alg && k.alg !== alg)) return false;
  if (alg.startsWith("RSA-OAEP")) return k.kty === "RSA";
  if (alg.startsWith("ECDH-ES")) return k.kty === "EC" || (k.kty === "OKP" && k.crv === "X25519");
  return false;
}

/**
 * Why a jwks_uri may not be registered: Passport fetches it, so it must not name loopback, private,
 * link-local, CGNAT, unique-local or metadata hosts (unless ALLOW_PRIVATE_JWKS_URI, for development).
 * Names are checked here; what a name resolves to is checked at every fetch (jwks-fetch.ts).
 */
export function jwksUriProblem(uri: string, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  const reason = forbiddenHost(new URL(uri).hostname);
  return reason ? `JWKS URI must name a public host: ${reason}` : null;
}
