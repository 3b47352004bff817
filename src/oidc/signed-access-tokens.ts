// Access tokens of offline grants are self-contained, not stored (docs/decisions.md, "Eighteenth
// round"). An access token the refresh grant issues (or the code grant, when the holder gave
// offline access) is bound to its grant, not to a browser session; its value carries
// oidc-provider's payload under an HMAC (token-signer.ts), so issuing one writes nothing, and a
// refresh writes the spend and the new refresh token only.
// What must stay immediate is the grant: every use reads it (batched with the turn's other reads,
// kept in memory on SQLite until anything touches it, like a token read), and a token whose grant
// is gone, expired, or of a disabled client is refused. Everything that revokes a token ends its
// grant: the revocation endpoint, a replayed code or refresh token, the holder's connected-apps
// page, deleting the account or the client (OidcStore.revokeByGrantId removes the grant with its
// tokens). A logout leaves offline grants alone, as it leaves their refresh tokens.
// Kept out of the value, because the bearer must not learn them: the internal account id (read
// from the grant at each use; with pairwise subjects it would link the holder across clients) and
// the browser session's uid. Tokens that end with the session need that uid, so they stay stored,
// as does any token issued before this version, until it expires.
import type Provider from "oidc-provider";
import type { StoredPayload } from "../db/oidc-store.js";
import { type SignedBody, TokenSigner } from "./token-signer.js";

/** Signs and opens grant-bound access tokens: `pat1.<payload>~<HMAC>` values. */
export class AccessTokenSigner extends TokenSigner {
  constructor(secret: string) {
    super(secret, "pat1.", "~");
  }
}

/** The parts of oidc-provider's AccessToken model used here (it has no public extension point for the token's value). */
interface IssuedToken {
  format?: string;
}
interface AccessTokenModel {
  prototype: { getValueAndPayload(this: IssuedToken): Promise<{ value: string; payload?: Record<string, unknown> }> };
}

/** Makes `provider`'s access tokens of offline grants self-contained: issuing one returns a signed value and stores nothing. */
export function signAccessTokens(provider: Provider, signer: AccessTokenSigner): void {
  const model = provider.AccessToken as unknown as AccessTokenModel;
  const issue = model.prototype.getValueAndPayload;
  model.prototype.getValueAndPayload = async function () {
    const made = await issue.call(this);
    const p = made.payload;
    // A JWT access token (a resource server asking for one) is oidc-provider's own; a session-bound one stays stored.
    if (this.format !== "opaque" || !p || p.expiresWithSession || typeof p.grantId !== "string") return made;
    const { accountId: _account, sessionUid: _session, ...carried } = p;
    return { value: signer.sign({ payload: carried as SignedBody["payload"], issuedAt: Date.now() }) };
  };
}

/**
 * What the adapter answers for a signed access token: its payload with the account its grant
 * names, while it has not expired and its grant is usable (there, unexpired, its client enabled:
 * `grantOf` reads it) and is the token's client's. Otherwise nothing, as for a stored token gone.
 */
export async function openAccessToken(
  signer: AccessTokenSigner,
  value: string,
  grantOf: (grantId: string) => Promise<StoredPayload | undefined>,
): Promise<StoredPayload | undefined> {
  const body = signer.open(value);
  const grantId = body?.payload.grantId;
  // Expired: nothing, as a stored token's row is not found once it expired (and no read for it).
  if (!body || typeof grantId !== "string" || body.payload.exp * 1000 <= Date.now()) return undefined;
  const grant = await grantOf(grantId);
  if (!grant || grant.clientId !== body.payload.clientId || typeof grant.accountId !== "string") return undefined;
  return { ...body.payload, accountId: grant.accountId };
}
