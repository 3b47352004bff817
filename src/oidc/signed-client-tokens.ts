// Client-credentials tokens are self-contained, not stored (docs/decisions.md, "Client-credentials
// tokens are signed, not stored"). The token a client gets from the client_credentials grant
// carries its own payload under an HMAC of a server secret, so issuing one writes nothing. What
// must stay immediate is checked in the database at every use, in one statement
// (OidcStore.signedTokenUsable): the client still exists, is enabled and is the client the token
// was issued to (not a later one given the same id), and the token was not revoked. Revoking
// writes a marker that lives as long as the token would have.
//
// A token reads `pcc1.<payload JSON, base64url>~<HMAC-SHA256, base64url>` (token-signer.ts; `.`
// before the HMAC in tokens issued before the twentieth round, which still open). The
// payload is what oidc-provider would have stored (client, scope, jti, times, sender binding):
// nothing the bearer, the client itself, may not see, as in a JWT access token. Not encrypted, on
// purpose: AES-GCM in Node costs a cipher context per token, three times the HMAC, and would hide
// nothing secret.
import type Provider from "oidc-provider";
import type { OidcStore } from "../db/oidc-store.js";
import { type SignedBody, TokenSigner } from "./token-signer.js";

/** What a client-credentials token carries (token-signer.ts). */
export type ClientTokenBody = SignedBody;

/** Signs and opens client-credentials tokens: `pcc1.` values; those issued with "." before the HMAC (before the twentieth round) open too. */
export class ClientTokenSigner extends TokenSigner {
  constructor(secret: string) {
    super(secret, "pcc1.", ".");
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
    const value = signer.sign({ payload: made.payload as ClientTokenBody["payload"], issuedAt: Date.now() });
    return value ? { value } : made; // too long to open: stored, as before
  };

  model.find = async function (this: TokenModel, value, opts = {}) {
    if (typeof value !== "string" || !signer.owns(value)) return findStored.call(this, value, opts);
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
