// Access and refresh tokens of offline grants are self-contained, not stored (docs/decisions.md,
// "Eighteenth round" and "Nineteenth round"). A token bound to its grant rather than to a browser
// session (the holder gave offline access: every refresh token, and the access tokens issued with
// them) carries oidc-provider's payload under an HMAC (token-signer.ts), so issuing one writes
// nothing. A rotating refresh writes one narrow row: the spent refresh token's marker.
// What must stay immediate is the grant: every use reads it (batched with the turn's other reads;
// for an access token kept in memory on SQLite until anything touches it, like a token read), and
// a token whose grant is gone, expired, or of a disabled client is refused. Everything that
// revokes a token ends its grant: the revocation endpoint, a replayed code or refresh token, the
// holder's connected-apps page, deleting the account or the client (OidcStore.revokeByGrantId
// removes the grant with its tokens). A logout leaves offline grants alone, as it always did.
// A refresh token is single-use: spending it writes a marker under its jti (OidcStore.markSpent),
// read with its grant at every use, so a spent one is found spent (a replay ends the grant, as
// oidc-provider answers a replay) and two requests spending it at once cannot both win.
// Kept out of the value, because the bearer must not learn them: the internal account id (read
// from the grant at each use; with pairwise subjects it would link the holder across clients) and
// the browser session's uid. Tokens that end with the session need that uid, so they stay stored,
// as does any token issued before this version, until it expires or is spent.
import type Provider from "oidc-provider";
import type { RefreshGrant, StoredPayload } from "../db/oidc-store.js";
import { type SignedBody, TokenSigner } from "./token-signer.js";

/** Signs and opens grant-bound access tokens: `pat1.<payload>~<HMAC>` values. */
export class AccessTokenSigner extends TokenSigner {
  constructor(secret: string) {
    super(secret, "pat1.");
  }
}

/**
 * Signs and opens refresh tokens: `prt1.<payload>~<HMAC>` values. A refresh token is presented
 * once: it keeps only enough opened values for the requests in flight (a refresh opens its token
 * at the find and again at the spend).
 */
export class RefreshTokenSigner extends TokenSigner {
  constructor(secret: string) {
    super(secret, "prt1.", undefined, 1000);
  }
}

/** The parts of oidc-provider's AccessToken and RefreshToken models used here (they have no public extension point for a token's value). */
interface IssuedToken {
  /** Access tokens: "opaque" or "jwt"; refresh tokens have none (always opaque). */
  format?: string;
}
interface TokenModel {
  prototype: { getValueAndPayload(this: IssuedToken): Promise<{ value: string; payload?: Record<string, unknown> }> };
}

/** Makes a model's tokens of offline grants self-contained: issuing one returns a signed value and stores nothing. */
function signOfflineTokens(model: TokenModel, signer: TokenSigner): void {
  const issue = model.prototype.getValueAndPayload;
  model.prototype.getValueAndPayload = async function () {
    const made = await issue.call(this);
    const p = made.payload;
    // A JWT access token (a resource server asking for one) is oidc-provider's own; a session-bound one stays stored.
    if ((this.format ?? "opaque") !== "opaque" || !p || p.expiresWithSession || typeof p.grantId !== "string") return made;
    const { accountId: _account, sessionUid: _session, ...carried } = p;
    const value = signer.sign({ payload: carried as SignedBody["payload"], issuedAt: Date.now() });
    return value ? { value } : made; // too long to open (a very large claims request): stored, as before
  };
}

/** Makes `provider`'s access and refresh tokens of offline grants self-contained. */
export function signGrantTokens(provider: Provider, signers: { accessTokens: AccessTokenSigner; refreshTokens: RefreshTokenSigner }): void {
  signOfflineTokens(provider.AccessToken as unknown as TokenModel, signers.accessTokens);
  signOfflineTokens(provider.RefreshToken as unknown as TokenModel, signers.refreshTokens);
}

/** A signed token's body while it has not expired (no read for an expired one, as a stored token's row is not found once it expired). */
function unexpired(signer: TokenSigner, value: string): (SignedBody & { payload: { grantId: string } }) | undefined {
  const body = signer.open(value);
  const grantId = body?.payload.grantId;
  if (!body || typeof grantId !== "string" || body.payload.exp * 1000 <= Date.now()) return undefined;
  return body as SignedBody & { payload: { grantId: string } };
}

/** The account a usable grant gives a token of `clientId`: the grant must be the token's client's. */
function accountOf(grant: StoredPayload | undefined, clientId: string): string | undefined {
  return grant && grant.clientId === clientId && typeof grant.accountId === "string" ? grant.accountId : undefined;
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
  const body = unexpired(signer, value);
  if (!body) return undefined;
  const accountId = accountOf(await grantOf(body.payload.grantId), body.payload.clientId);
  return accountId ? { ...body.payload, accountId } : undefined;
}

/** A signed refresh token that opened, as its grant and spent marker are read (RequestArtifacts.refreshGrant). */
export interface RefreshRead {
  value: string;
  grantId: string;
  jti: string;
  clientId: string;
  /** When it expires (ms): a spent marker is kept until then. */
  expiresAt: number;
  /** Bound to a key or certificate (DPoP, mutual TLS, client attestation), which oidc-provider checks after the read. */
  bound: boolean;
}

/** The payload fields that bind a token to a proof the client presents with it. */
const BINDINGS = ["jkt", "x5t#S256", "attestationJkt"];

/**
 * What the adapter answers for a signed refresh token: as for an access token, with `consumed`
 * once it was spent. Its `jti` is the value itself, so that oidc-provider's consume and destroy of
 * the token it found reach the adapter with the value (the adapter then spends it by its marker).
 */
export async function openRefreshToken(signer: RefreshTokenSigner, value: string, read: (token: RefreshRead) => Promise<RefreshGrant>): Promise<StoredPayload | undefined> {
  const body = unexpired(signer, value);
  if (!body) return undefined;
  const p = body.payload;
  const bound = BINDINGS.some((field) => p[field] !== undefined);
  const { grant, spentAt } = await read({ value, grantId: p.grantId, jti: p.jti, clientId: p.clientId, expiresAt: p.exp * 1000, bound });
  const accountId = accountOf(grant, body.payload.clientId);
  if (!accountId) return undefined;
  return { ...body.payload, jti: value, accountId, ...(spentAt === null ? {} : { consumed: Math.floor(spentAt / 1000) }) };
}

/** A signed refresh token's marker key and lifetime, for spending it (any value this signer signed, expired or not). */
export function spendOf(signer: RefreshTokenSigner, value: string): { jti: string; grantId: string; expiresAt: number } | undefined {
  const body = signer.open(value);
  const grantId = body?.payload.grantId;
  return body && typeof grantId === "string" ? { jti: body.payload.jti, grantId, expiresAt: body.payload.exp * 1000 } : undefined;
}
