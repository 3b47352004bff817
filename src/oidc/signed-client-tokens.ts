// Client-credentials tokens are self-contained, not stored (docs/decisions.md, "Client-credentials
// tokens are signed, not stored"). The token a client gets from the client_credentials grant
// carries its own payload under an HMAC of a server secret, so issuing one writes nothing. What
// must stay immediate is checked in the database at every use, in one statement
// (OidcStore.signedTokenUsable): the client still exists, is enabled and is the client the token
// was issued to (not a later one given the same id), and the token was not revoked. Revoking
// writes a marker that lives as long as the token would have.
//
// A token reads `pcc1.<payload JSON, base64url>.<HMAC-SHA256, base64url>`. The payload is what
// oidc-provider would have stored (client, scope, jti, times, sender binding): nothing the bearer,
// the client itself, may not see, as in a JWT access token. Not encrypted, on purpose: AES-GCM in
// Node costs a cipher context per token, three times the HMAC, and would hide nothing secret. The
// ids oidc-provider generates use only [A-Za-z0-9_-], so no stored token (one issued before tokens
// were signed, or any other kind) looks like one of these.
import crypto from "node:crypto";
import type Provider from "oidc-provider";
import type { OidcStore } from "../db/oidc-store.js";

const PREFIX = "pcc1.";
/** Far above any real token (a few hundred characters); longer input is refused before any work. */
const MAX_LENGTH = 4096;

/** Could this be a signed client-credentials token? Other kinds' lookups skip the database for such a value. */
export function isSignedClientToken(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** What a token carries: oidc-provider's payload and the issuing time in milliseconds. */
export interface ClientTokenBody {
  payload: Record<string, unknown> & { jti: string; clientId: string; exp: number };
  issuedAt: number;
}

export class ClientTokenSigner {
  private readonly secret: crypto.KeyObject;

  constructor(secret: string) {
    const bytes = Buffer.from(secret, "base64url");
    if (bytes.length < 32) throw new Error("the client-credentials token secret must have at least 32 bytes");
    this.secret = crypto.createSecretKey(bytes);
  }

  sign(body: ClientTokenBody): string {
    const signed = `${PREFIX}${Buffer.from(JSON.stringify({ p: body.payload, t: body.issuedAt })).toString("base64url")}`;
    return `${signed}.${this.mac(signed).toString("base64url")}`;
  }

  /** The body, or undefined for anything this secret did not sign (altered, another server's, malformed). */
  open(value: string): ClientTokenBody | undefined {
    if (value.length > MAX_LENGTH || !isSignedClientToken(value)) return undefined;
    const dot = value.lastIndexOf(".");
    if (dot < PREFIX.length) return undefined;
    // Compared as text, so that each token has one spelling (base64url decoding would skip stray characters).
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(value.slice(0, dot)).toString("base64url"));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const { p, t } = JSON.parse(Buffer.from(value.slice(PREFIX.length, dot), "base64url").toString("utf8")) as { p?: ClientTokenBody["payload"]; t?: number };
      const valid = p && typeof p.jti === "string" && typeof p.clientId === "string" && typeof p.exp === "number" && typeof t === "number";
      return valid ? { payload: p, issuedAt: t } : undefined;
    } catch {
      return undefined; // signed by us, so never reached unless the secret leaked: refused all the same
    }
  }

  private mac(signed: string): Buffer {
    return crypto.createHmac("sha256", this.secret).update(signed).digest();
  }
}

/** The parts of oidc-provider's ClientCredentials model used here (it has no public extension point for the token's value). */
interface TokenInstance {
  jti: string;
  clientId: string;
  exp: number;
  format?: string;
  emit(event: string): void;
}
interface TokenModel {
  find(value: unknown, opts?: { ignoreExpiration?: boolean }): Promise<TokenInstance | undefined>;
  verify(stored: object, opts?: { ignoreExpiration?: boolean }): Promise<object>;
  instantiate(payload: object): TokenInstance;
  prototype: {
    getValueAndPayload(this: TokenInstance): Promise<{ value: string; payload?: Record<string, unknown> }>;
    destroy(this: TokenInstance): Promise<void>;
  };
}

/**
 * Makes `provider`'s client-credentials tokens self-contained: issuing returns a signed value and
 * stores nothing; finding checks it and asks the database whether it may still be used;
 * destroying one (revocation) writes its marker. Tokens stored before keep working through
 * oidc-provider's own find and destroy until they expire.
 */
export function signClientCredentials(provider: Provider, signer: ClientTokenSigner, store: OidcStore): void {
  const model = provider.ClientCredentials as unknown as TokenModel;
  const { getValueAndPayload: issue, destroy: destroyStored } = model.prototype;
  const findStored = model.find;
  /** Tokens found signed: their destroy is a revocation marker, not a delete. */
  const opened = new WeakSet<TokenInstance>();

  model.prototype.getValueAndPayload = async function () {
    const made = await issue.call(this);
    // A JWT access token (a resource server asking for one) is oidc-provider's own and stored by no one either.
    if (this.format !== "opaque" || !made.payload) return made;
    // What oidc-provider would have stored (jti, clientId, iat, exp, scope, …); no payload back: it stores nothing.
    return { value: signer.sign({ payload: made.payload as ClientTokenBody["payload"], issuedAt: Date.now() }) };
  };

  model.find = async function (this: TokenModel, value, opts = {}) {
    if (typeof value !== "string" || !isSignedClientToken(value)) return findStored.call(this, value, opts);
    const body = signer.open(value);
    if (!body) return undefined;
    try {
      // Expiry and the payload's form first, as oidc-provider checks a stored token: no read for an expired one.
      const payload = await this.verify(body.payload, opts);
      if (!(await store.signedTokenUsable(body.payload.jti, body.payload.clientId, body.issuedAt))) return undefined;
      const token = this.instantiate(payload);
      opened.add(token);
      return token;
    } catch {
      return undefined;
    }
  };

  model.prototype.destroy = async function () {
    if (!opened.has(this)) return destroyStored.call(this);
    await store.revokeSigned(this.jti, this.clientId, this.exp);
    this.emit("destroyed");
  };
}
