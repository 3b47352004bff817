// Authenticates a relying party the way the token endpoint does (client_secret_basic,
// client_secret_post, private_key_jwt), for Passport's own client-facing endpoints (error reports).
import crypto from "node:crypto";
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWK } from "jose";
import type { OidcStore } from "../db/oidc-store.js";
import { AppError } from "../errors.js";
import type { ClientService } from "./clients.js";

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

function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash("sha256").update(a).digest();
  const y = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientService,
    private readonly replay: OidcStore,
    private readonly issuer: string,
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
    const decoded = Buffer.from(encoded.trim(), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i < 0) throw new InvalidClientError("malformed Basic credentials");
    // RFC 6749 §2.3.1: both parts are form-urlencoded.
    const id = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " "));
    const secret = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, " "));
    return this.secret(id, secret, "client_secret_basic");
  }

  private async secret(clientId: string, secret: string, method: string): Promise<{ clientId: string; name: string }> {
    const meta = await this.clients.findEnabledMetadata(clientId);
    if (!meta || meta.token_endpoint_auth_method !== method || typeof meta.client_secret !== "string" || !safeEqual(meta.client_secret, secret)) {
      throw new InvalidClientError();
    }
    return { clientId, name: String(meta.client_name ?? clientId) };
  }

  private async privateKeyJwt(assertion: string, endpoint: string): Promise<{ clientId: string; name: string }> {
    const [, body] = assertion.split(".");
    let clientId: string;
    try {
      clientId = String(JSON.parse(Buffer.from(body ?? "", "base64url").toString("utf8")).iss);
    } catch {
      throw new InvalidClientError("the client assertion cannot be read");
    }
    const meta = await this.clients.findEnabledMetadata(clientId);
    if (!meta || meta.token_endpoint_auth_method !== "private_key_jwt") throw new InvalidClientError();
    const keys = meta.jwks ? createLocalJWKSet(meta.jwks as { keys: JWK[] }) : meta.jwks_uri ? createRemoteJWKSet(new URL(String(meta.jwks_uri))) : null;
    if (!keys) throw new InvalidClientError("the client has no keys to check its assertion");
    try {
      const { payload } = await jwtVerify(assertion, keys, {
        issuer: clientId,
        subject: clientId,
        audience: [this.issuer, `${this.issuer}/token`, endpoint],
        maxTokenAge: "5m",
        requiredClaims: ["exp", "jti"],
      });
      // An assertion works once.
      const replayId = `client-assertion:${clientId}:${payload.jti}`;
      if (await this.replay.find("ReplayDetection", { id: replayId })) throw new InvalidClientError("the client assertion was used before");
      await this.replay.upsert("ReplayDetection", replayId, { iss: clientId }, Math.max(60, (payload.exp ?? 0) - Math.floor(Date.now() / 1000)));
    } catch (err) {
      if (err instanceof InvalidClientError) throw err;
      throw new InvalidClientError(`the client assertion is not valid: ${(err as Error).message}`);
    }
    return { clientId, name: String(meta.client_name ?? clientId) };
  }
}
