// oidc-provider configuration. The provider knows nothing about how people sign in: it sends
// every interaction to /interaction/:uid (src/routes/interaction.ts), in the spirit of Hydra's
// login/consent split. Everything here is protocol policy: flows, algorithms, lifetimes, keys.
import crypto from "node:crypto";
import { setImmediate as turnEnd } from "node:timers/promises";
import Provider, { type Configuration, type KoaContextWithOIDC, type TokenEndpointGrantContext, errors, interactionPolicy } from "oidc-provider";
import type { Config } from "../config.js";
import type { JWK } from "jose";
import type { OidcStore } from "../db/oidc-store.js";
import type { ClientService } from "../services/clients.js";
import type { AccountService } from "../services/accounts.js";
import type { AppSessionService } from "../services/app-sessions.js";
import type { SharingService } from "../services/sharing.js";
import { isPassportScope } from "../sharing/scopes.js";
import { parseShareRequest, ShareRequestError } from "../sharing/request.js";
import { adapterFactory, type SpendConfirmation } from "./adapter.js";
import { supportedAlgorithms } from "./algorithms.js";
import { findAccount, SCOPES, CLAIMS } from "./claims.js";
import type { PageRenderer } from "./pages.js";
import { SESSION_COOKIE } from "./cookies.js";
import { verifyClientSecret } from "../services/client-secrets.js";
import type { RegistrationService } from "../services/registration.js";
import { installRegistrationHooks, registrationConfiguration } from "./registration.js";
import { memoizeClientFind } from "./client-memo.js";
import { EMAIL_TRUST_FRAMEWORK } from "../sharing/email-credential.js";
import { identityAssuranceMetadata } from "./ida-metadata.js";
import { openArtifactScope, type RefreshTake } from "./request-artifacts.js";
import { AccessTokenSigner, RefreshTokenSigner, signGrantTokens } from "./signed-grant-tokens.js";
import { ClientTokenSigner, signClientCredentials } from "./signed-client-tokens.js";

export interface ProviderDeps {
  cfg: Config;
  store: OidcStore;
  clients: ClientService;
  accounts: AccountService;
  sessions: AppSessionService;
  sharing: SharingService;
  pages: PageRenderer;
  signingKeys: JWK[];
  cookieKeys: string[];
  pairwiseSalt: string;
  /** Signs client-credentials tokens (signed-client-tokens.ts); base64url, 32 bytes or more. */
  clientTokenSecret: string;
  /** The guarded, cached fetch of clients' jwks_uri (src/services/jwks-fetch.ts). */
  jwksFetch?: (url: string | URL, init?: { method?: string }) => Promise<Response>;
  onServerError?: (path: string, err: Error) => void;
  /** Dynamic client registration (RFC 7591/7592); without it the registration endpoint is off. */
  registration?: RegistrationService;
  /** Counts a completed sign-in (an authorization answered with a code) for the client's activity. */
  onSignIn?: (clientId: string) => Promise<void>;
  /** Counts an authorization or token request of a known client that was refused (its OAuth error). */
  onClientError?: (clientId: string, error: string, description: string | undefined) => Promise<void>;
}

/** The activity record (sign-in or refusal) started during a request; awaited before the response leaves (see createProvider). */
const SIGNIN_COUNT = Symbol("passport.signInCount");

/** Refused until an administrator approves the client (DEVELOPER_PASSPORT_SCOPES=approval). */
export const AWAITING_APPROVAL = "this client is waiting for an administrator's approval of its Passport scopes";

const SIGNING_ALGS = [...supportedAlgorithms.signing];
const ENCRYPTION_ALGS = [...supportedAlgorithms.encryption];
const ENCRYPTION_ENCS = [...supportedAlgorithms.encryptionEnc];

/** Holders who signed out of Passport itself must sign in again before any client gets a code. */
const hasPassportScope = (scope: unknown) => typeof scope === "string" && scope.split(" ").some(isPassportScope);

function loginPolicy(sessions: AppSessionService) {
  const policy = interactionPolicy.base();
  // Only the holder's browser can seal a payload, so every authorization with Passport scopes
  // passes through the consent page, even when consent was given before; prompt=none cannot.
  policy.get("consent")!.checks.add(
    new interactionPolicy.Check(
      "passport_share",
      "Passport data is sealed in the holder's browser for each authorization",
      "interaction_required",
      (ctx) => (hasPassportScope(ctx.oidc.params?.scope) && !(ctx.oidc.result as { passport?: unknown } | undefined)?.passport ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT),
    ),
  );
  policy.get("login")!.checks.add(
    new interactionPolicy.Check("app_session_ended", "The holder signed out of Passport", async (ctx) => {
      const { oidc } = ctx;
      if (!oidc.session?.accountId || oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const appSession = await sessions.resolve(ctx.cookies.get(SESSION_COOKIE, { signed: true }));
      return appSession?.accountId === oidc.session.accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/** Per client, not per sector: two clients on one host still cannot join their users. */
export function pairwiseSub(salt: string, clientId: string, accountId: string): string {
  return crypto.createHmac("sha256", salt).update(`${clientId}\0${accountId}`).digest("base64url");
}

/**
 * pairwiseSub, remembered: oidc-provider asks for it on every userinfo and introspection, and an
 * HMAC costs more there than the rest of the claims. It never changes for a salt; bounded by
 * emptying at 10,000 pairs.
 */
function rememberedPairwiseSub(salt: string): (clientId: string, accountId: string) => string {
  const known = new Map<string, string>();
  return (clientId, accountId) => {
    const key = `${clientId}\0${accountId}`;
    let sub = known.get(key);
    if (sub === undefined) {
      if (known.size >= 10_000) known.clear();
      known.set(key, (sub = pairwiseSub(salt, clientId, accountId)));
    }
    return sub;
  };
}

export function buildConfiguration(d: ProviderDeps, adapter: Configuration["adapter"]): Configuration {
  const { cfg } = d;
  const cookieOpts = { signed: true, secure: cfg.secureCookies, sameSite: "lax" as const, httpOnly: true };
  const pairwise = rememberedPairwiseSub(d.pairwiseSalt);
  const registration = d.registration ? registrationConfiguration(d.registration) : undefined;
  return {
    adapter,
    ...(registration ? { extraClientMetadata: registration.extraClientMetadata } : {}),
    findAccount: (_ctx, sub, token) =>
      findAccount(d.accounts, sub, () => d.sharing.payloadForGrant((token as { grantId?: string } | undefined)?.grantId), cfg.clientCacheSeconds * 1000),
    // Declared so that its validator runs on every authorization request: it checks Passport
    // scopes (the client needs an encryption key) and the verified_claims options up front.
    extraParams: {
      passport_source: async (ctx, _value, client) => {
        const scope = ctx.oidc.params?.scope;
        if (!hasPassportScope(scope)) return;
        if (!ctx.oidc.params?.nonce) throw new errors.InvalidRequest("nonce is required with Passport scopes: the payload is bound to it");
        // Plain OpenID sign-ins (no Passport scope) return above: a pending client can still do those.
        if (!(await d.clients.passportApproved(client.clientId))) throw new errors.InvalidScope(AWAITING_APPROVAL, String(scope));
        if (!(await d.sharing.mayReceivePassport(client.clientId))) {
          throw new errors.InvalidScope("Passport scopes need an encryption key registered for the client (JWKS with an RSA-OAEP-256 or ECDH-ES+A256KW key)", String(scope));
        }
        try {
          parseShareRequest(String(scope), ctx.oidc.params?.claims);
        } catch (err) {
          if (err instanceof ShareRequestError) throw new errors.InvalidRequest(err.message);
          throw err;
        }
      },
    },
    scopes: SCOPES,
    claims: CLAIMS,
    // OpenID Connect for Identity Assurance: the verification standards a request may name.
    discovery: { claim_types_supported: ["normal"], ...identityAssuranceMetadata(cfg.issuer, [...cfg.verifiers.trustFrameworks, EMAIL_TRUST_FRAMEWORK]) },
    jwks: { keys: d.signingKeys as never },
    cookies: { keys: d.cookieKeys, long: cookieOpts, short: cookieOpts },
    pkce: { required: () => true },
    // Public clients (the playground's relying party runs in a browser) may call the token and
    // userinfo endpoints from their redirect URI's origin; PKCE is required of every client above.
    // Also the playground's "use my own client" mode: a developer tries their client (secret and
    // all) from Passport's own origin, when it registered the playground's callback.
    clientBasedCORS: (_ctx, origin, client) =>
      (client.clientAuthMethod === "none" && (client.redirectUris ?? []).some((u) => URL.parse(u)?.origin === origin)) ||
      (origin === new URL(d.cfg.issuer).origin && (client.redirectUris ?? []).includes(`${d.cfg.issuer}/playground/callback`)),
    responseTypes: ["code"],
    subjectTypes: cfg.subjectTypes,
    pairwiseIdentifier: (_ctx, accountId, client) => pairwise(client.clientId, accountId),
    clientAuthMethods: supportedAlgorithms.tokenEndpointAuthMethods as never,
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: cfg.defaultSigningAlg,
      subject_type: cfg.subjectTypes[0],
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    conformIdTokenClaims: true,
    rotateRefreshToken: ROTATE_REFRESH_TOKENS,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    features: {
      ...registration?.features,
      devInteractions: { enabled: false },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      introspection: {
        enabled: true,
        // Only the client a token was issued to may introspect it; the default lets any
        // confidential client read any token (its sub, scopes, expiry), joining users across clients.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        // Only the client a token was issued to may revoke it (oidc-provider's default, written out
        // so that it is ours and the provider stops logging a notice about it): another
        // authenticated client is told so (RFC 7009, 2.1), a public client's request does nothing.
        allowedPolicy: (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === "none") return false;
          throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
        },
      },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => d.pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => d.pages.loggedOut(ctx),
      },
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS as never,
      userinfoSigningAlgValues: SIGNING_ALGS as never,
      introspectionSigningAlgValues: SIGNING_ALGS as never,
      authorizationSigningAlgValues: SIGNING_ALGS as never,
      clientAuthSigningAlgValues: SIGNING_ALGS as never,
      requestObjectSigningAlgValues: SIGNING_ALGS as never,
      idTokenEncryptionAlgValues: ENCRYPTION_ALGS as never,
      userinfoEncryptionAlgValues: ENCRYPTION_ALGS as never,
      introspectionEncryptionAlgValues: ENCRYPTION_ALGS as never,
      authorizationEncryptionAlgValues: ENCRYPTION_ALGS as never,
      requestObjectEncryptionAlgValues: ENCRYPTION_ALGS as never,
      idTokenEncryptionEncValues: ENCRYPTION_ENCS as never,
      userinfoEncryptionEncValues: ENCRYPTION_ENCS as never,
      introspectionEncryptionEncValues: ENCRYPTION_ENCS as never,
      authorizationEncryptionEncValues: ENCRYPTION_ENCS as never,
      requestObjectEncryptionEncValues: ENCRYPTION_ENCS as never,
    },
    ttl: {
      AccessToken: cfg.ttl.accessToken,
      ClientCredentials: cfg.ttl.accessToken,
      AuthorizationCode: cfg.ttl.authorizationCode,
      IdToken: cfg.ttl.idToken,
      RefreshToken: cfg.ttl.refreshToken,
      Session: cfg.ttl.session,
      Grant: cfg.ttl.refreshToken,
      Interaction: cfg.ttl.interaction,
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: loginPolicy(d.sessions),
    },
    renderError: (ctx, out, error) => d.pages.error(ctx, out, error),
    // oidc-provider's only outbound request here is a client's jwks_uri: send it through the same
    // guarded, bounded and cached fetch as Passport's own (no internal addresses, no redirects).
    ...(d.jwksFetch ? { fetch: d.jwksFetch as never } : {}),
  };
}

/** The token endpoint's grants that spend a code or refresh token. */
const SPENDING_GRANTS = new Set(["authorization_code", "refresh_token"]);

/** Every refresh spends its refresh token and issues a new one (refreshTake relies on it). */
const ROTATE_REFRESH_TOKENS = true;

/** Client authentication methods whose checks on a refresh come after the token is read. */
const ATTESTED_AUTH = new Set(["attest_jwt_client_auth", "attest_jwt_client_auth_dpop"]);

/**
 * A refresh grant's token, if it may be spent as it is read (request-artifacts.ts): every refresh
 * rotates its token, and nothing oidc-provider checks between reading and spending it can fail
 * for this request's own reasons. Not so with a narrowed `scope` (refused as invalid_scope), a
 * DPoP proof, or a client bound to certificates, DPoP or attestation (their checks come between);
 * a token bound to a key is left alone where it is opened. What can still fail there ends the
 * token anyway: its grant gone or expired, its account gone.
 */
function refreshTake(ctx: TokenEndpointGrantContext<object>): RefreshTake | undefined {
  const { params, client } = ctx.oidc;
  const value = params?.refresh_token;
  if (!ROTATE_REFRESH_TOKENS || typeof value !== "string" || !client || params?.scope !== undefined || ctx.get("dpop")) return undefined;
  if (client.tlsClientCertificateBoundAccessTokens || client.dpopBoundAccessTokens || ATTESTED_AUTH.has(client.clientAuthMethod ?? "")) return undefined;
  return { value, clientId: client.clientId };
}

/** registerGrantType's parameters after the name and the handler. */
type GrantOptions = Parameters<Provider["registerGrantType"]> extends [unknown, unknown, ...infer Rest] ? Rest : never;

/**
 * oidc-provider, with its code and refresh grants run so that their spend need not be waited for
 * where it is made (request-artifacts.ts): the grant's answer is made final only once the spend
 * is confirmed, and a request whose spend lost is refused as a replay from inside the grant, so
 * oidc-provider answers and reports it (`grant.error`) as it would have at the spend. The grant
 * handlers are registered while the provider is constructed, hence a subclass.
 */
function providerClass(spends: SpendConfirmation): typeof Provider {
  return class extends Provider {
    override registerGrantType<P extends object>(name: string, handler: (ctx: TokenEndpointGrantContext<P>) => void | Promise<void>, ...rest: GrantOptions): void {
      const grant: typeof handler = SPENDING_GRANTS.has(name)
        ? async (ctx) => {
            spends.deferSpends(name === "refresh_token" ? refreshTake(ctx) : undefined);
            try {
              await handler(ctx);
            } finally {
              await spends.confirmSpends(); // a replay's refusal takes the place of whatever the grant answered
            }
          }
        : handler;
      super.registerGrantType(name, grant, ...rest);
    }
  };
}

export function createProvider(d: ProviderDeps): Provider {
  // One secret signs every kind of self-contained token; each value's prefix, under the HMAC, names its kind.
  const signers = { accessTokens: new AccessTokenSigner(d.clientTokenSecret), refreshTokens: new RefreshTokenSigner(d.clientTokenSecret) };
  const storage = adapterFactory(d.store, d.clients, d.registration, signers);
  const PassportProvider = providerClass(storage.spends);
  const configuration = buildConfiguration(d, storage.Adapter);
  const provider = new PassportProvider(d.cfg.issuer, configuration);
  provider.proxy = d.cfg.trustProxy;
  // Errors that escape oidc-provider's own handler (ours, from the hooks below): logged like its 500s,
  // class and message only, instead of Koa's default stack trace on stderr.
  // (Koa's own "error" event, which oidc-provider's typings leave out.)
  (provider as unknown as NodeJS.EventEmitter).on("error", (err: Error & { status?: number }, ctx?: { path?: string }) => {
    if ((err.status ?? 500) >= 500) d.onServerError?.(ctx?.path ?? "", err);
  });
  // Outermost, one middleware for both: a request's new tokens are committed (request-artifacts.ts),
  // and the sign-in count started by "authorization.success" (below) is stored, before the answer leaves.
  // Then the answer waits for the end of the event loop's turn (its check phase), so the answers
  // made in one turn leave together after it, as Redis writes its replies before it polls again:
  // under load the server then runs the requests that arrived together back to back, one stage at
  // a time, and spends 15-20 % less CPU on each one that writes nothing (client credentials,
  // introspection, userinfo; docs/decisions.md, "Fifteenth round"). Alone, a request pays one more
  // turn of the loop, a few microseconds.
  // A promise chain rather than an async function, as in registration.ts: no stack frame of ours in
  // the errors oidc-provider builds on every request.
  provider.use((ctx, next) => {
    const written = openArtifactScope(ctx);
    return next()
      .then(() => (ctx.state as Record<symbol, Promise<void> | undefined>)[SIGNIN_COUNT])
      .finally(() => written().then(() => turnEnd()));
  });
  // The clients table keeps only a hash of each secret, and it is what `client_secret` holds in the
  // metadata: compare against it. No symmetric algorithm is enabled (algorithms.ts), so oidc-provider
  // derives no key from that value.
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret?: string }, actual: string) {
    return verifyClientSecret(this.clientSecret, actual);
  };
  memoizeClientFind(provider, (id) => d.clients.findEnabledMetadata(id));
  signClientCredentials(provider, new ClientTokenSigner(d.clientTokenSecret), d.store);
  signGrantTokens(provider, signers);
  if (d.registration) installRegistrationHooks(provider, d.registration);
  // oidc-provider answers its own 500s; log them (class and message only, no request data).
  provider.on("server_error", (ctx: KoaContextWithOIDC, err: Error) => d.onServerError?.(ctx.path, err));
  // One sign-in per authorization answered with a code (token refreshes and client credentials are
  // not sign-ins). Counted before the response leaves, so the count is stored when the client has its code.
  provider.on("authorization.success", (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    if (!clientId || !d.onSignIn) return;
    (ctx.state as Record<symbol, Promise<void>>)[SIGNIN_COUNT] = d.onSignIn(clientId).catch((err: Error) => d.onServerError?.(ctx.path, err));
  });
  // A refused authorization or token request of a known client, for its page: developers see
  // why their sign-ins fail (invalid_scope, a redirect_uri mismatch, invalid_grant, …).
  const onClientError = (ctx: KoaContextWithOIDC, err: { error?: string; error_description?: string; status?: number }) => {
    const clientId = ctx.oidc?.client?.clientId;
    if (!clientId || !d.onClientError || !err.error || (err.status ?? 400) >= 500) return;
    (ctx.state as Record<symbol, Promise<void>>)[SIGNIN_COUNT] = d.onClientError(clientId, err.error, err.error_description).catch((e: Error) => d.onServerError?.(ctx.path, e));
  };
  provider.on("authorization.error", onClientError);
  provider.on("grant.error", onClientError);
  // Signing out at a relying party (RP-initiated logout) also ends the Passport session.
  provider.on("end_session.success", (ctx: KoaContextWithOIDC) => {
    // "No, stay signed in" (no `logout` parameter) ends only the client's session.
    if (!ctx.oidc.params?.logout) return;
    const token = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    ctx.cookies.set(SESSION_COOKIE, null);
    d.sessions
      .resolve(token)
      .then((s) => (s ? d.sessions.destroy(s) : undefined))
      .catch(() => undefined);
  });
  return provider;
}
