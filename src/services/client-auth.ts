// Authenticates a relying party the way the token endpoint does (client_secret_basic,
// client_secret_post, private_key_jwt), for Passport's own client-facing endpoints (error reports).
// Every malformed credential is an invalid_client, never a server error, and a private_key_jwt
// assertion passes every check that needs no key before the client's jwks_uri is fetched; why a
// fetch failed is never told to the caller.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from "jose";
import type { OidcStore } from "../db/oidc-store.js";
import { AppError } from "../errors.js";
import { supportedAlgorithms } from "../oidc/algorithms.js";
import type { ClientService } from "./clients.js";
import { verifyClientSecret } from "./client-secrets.js";
import type { JwksFetcher } from "./jwks-fetch.js";

export interface ClientCredentials {
  authorization?: string;
  body: Record<string, unknown>;
  /** The URL the assertion may name as audience besides the issuer and token endpoint. */
  endpoint: string;
}

export class InvalidClientError extends AppError {
  constructor(message = "client authentication failed") {
    super("invalid_client", message, 401);
  }
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const MAX_ASSERTION_AGE_S = 300;
const CLOCK_SKEW_S = 30;

/** RFC 6749 2.3.1: client id and secret are form-urlencoded inside Basic; null when malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientService,
    private readonly replay: OidcStore,
    private readonly issuer: string,
    private readonly jwks: JwksFetcher,
  ) {}

  /** Returns the authenticated client's id and name, or throws InvalidClientError. */
  async authenticate(c: ClientCredentials): Promise<{ clientId: string; name: string }> {
    if (c.authorization?.toLowerCase().startsWith("basic ")) return this.basic(c.authorization.slice(6));
    if (c.body.client_assertion_type === ASSERTION_TYPE && typeof c.body.client_assertion === "string") return this.privateKeyJwt(c.body.client_assertion, c.endpoint);
    if (typeof c.body.client_id === "string" && typeof c.body.client_secret === "string") {
      return this.secret(c.body.client_id, c.body.client_secret, "client_secret_post");
    }
    throw new InvalidClientError("authenticate the client as at the token endpoint (client_secret_basic, client_secret_post or private_key_jwt)");
  }

  private async basic(encoded: string): Promise<{ clientId: string; name: string }> {
    const token = encoded.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length > 4096) throw new InvalidClientError("malformed Basic credentials");
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    const id = i < 0 ? null : formDecode(decoded.slice(0, i));
    const secret = i < 0 ? null : formDecode(decoded.slice(i + 1));
    if (!id || !secret) throw new InvalidClientError("malformed Basic credentials");
    return this.secret(id, secret, "client_secret_basic");
  }

  private async secret(clientId: string, secret: string, method: string): Promise<{ clientId: string; name: string }> {
    const meta = await this.clients.findEnabledMetadata(clientId);
    if (!meta || meta.token_endpoint_auth_method !== method || !verifyClientSecret(meta.client_secret, secret)) {
      throw new InvalidClientError();
    }
    return { clientId, name: String(meta.client_name ?? clientId) };
  }

  private async privateKeyJwt(assertion: string, endpoint: string): Promise<{ clientId: string; name: string }> {
    const audiences = [this.issuer, `${this.issuer}/token`, endpoint];
    const claims = this.readAssertion(assertion, audiences);
    const clientId = claims.iss;
    // Everything that needs no key first: the client, its method, a fresh jti.
    const meta = await this.clients.findEnabledMetadata(clientId);
    if (!meta || meta.token_endpoint_auth_method !== "private_key_jwt") throw new InvalidClientError();
    const replayId = `client-assertion:${clientId}:${claims.jti}`;
    if (await this.replay.find("ReplayDetection", { id: replayId })) throw new InvalidClientError("the client assertion was used before");
    let jwks: { keys: JWK[] } | undefined;
    if (meta.jwks) jwks = meta.jwks as { keys: JWK[] };
    else if (typeof meta.jwks_uri === "string") {
      // Guarded, bounded and cached (jwks-fetch.ts); why it failed is not the caller's business.
      jwks = await this.jwks.get(meta.jwks_uri).catch(() => undefined);
    }
    if (!jwks) throw new InvalidClientError();
    try {
      await jwtVerify(assertion, createLocalJWKSet(jwks), {
        issuer: clientId,
        subject: clientId,
        audience: audiences,
        maxTokenAge: MAX_ASSERTION_AGE_S,
        clockTolerance: CLOCK_SKEW_S,
        algorithms: [...supportedAlgorithms.signing],
        requiredClaims: ["exp", "jti"],
      });
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw new InvalidClientError(`the client assertion is not valid (${err.code})`);
      throw new InvalidClientError();
    }
    // An assertion works once.
    await this.replay.upsert("ReplayDetection", replayId, { iss: clientId }, Math.max(60, (claims.exp ?? 0) - Math.floor(Date.now() / 1000)));
    return { clientId, name: String(meta.client_name ?? clientId) };
  }

  /** Decodes the assertion and checks its claims without a key; throws InvalidClientError. */
  private readAssertion(assertion: string, audiences: string[]): JWTPayload & { iss: string; jti: string; exp: number } {
    let claims: JWTPayload;
    let alg: unknown;
    try {
      claims = decodeJwt(assertion);
      alg = decodeProtectedHeader(assertion).alg;
    } catch {
      throw new InvalidClientError("the client assertion cannot be read");
    }
    const now = Math.floor(Date.now() / 1000);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const ok =
      typeof claims.iss === "string" &&
      claims.iss.length > 0 &&
      claims.sub === claims.iss &&
      typeof claims.jti === "string" &&
      typeof claims.exp === "number" &&
      claims.exp + CLOCK_SKEW_S > now &&
      (typeof claims.iat !== "number" || claims.iat - CLOCK_SKEW_S <= now) &&
      claims.exp - now <= MAX_ASSERTION_AGE_S + CLOCK_SKEW_S &&
      aud.some((a) => typeof a === "string" && audiences.includes(a)) &&
      (supportedAlgorithms.signing as readonly unknown[]).includes(alg);
    if (!ok) throw new InvalidClientError("the client assertion is not valid");
    return claims as JWTPayload & { iss: string; jti: string; exp: number };
  }
}
