// The reference: oidc-provider 9 with nothing of Passport around it. Same signing keys, same
// clients (static, from toOidcMetadata), same scopes, claims, lifetimes, algorithms and token
// policies as src/oidc/provider.ts; its built-in in-memory adapter (or a plain database adapter,
// plain-adapters.ts, for `npm run bench:compare -- --plain`); a findAccount that answers from
// memory; and an interaction that signs in a fixed account and grants consent at once.
import crypto from "node:crypto";
import Provider, { type Adapter, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import MemoryAdapter from "oidc-provider/lib/adapters/memory_adapter.js";
import LRU from "oidc-provider/lib/helpers/lru.js";
import type { JWK } from "jose";
import { supportedAlgorithms } from "../../src/oidc/algorithms.js";
import { CLAIMS, SCOPES } from "../../src/oidc/claims.js";
import { toOidcMetadata } from "../../src/services/clients.js";
import { loadConfig } from "../../src/config.js";
import { BARE_STORE_ENTRIES, type BenchAccount, type RegisteredClient } from "../fixtures.js";

/** The built-in MemoryAdapter over an LRU large enough for the pre-minted refresh tokens. */
function memoryAdapter(): (name: string) => Adapter {
  const store = new LRU({ maxSize: BARE_STORE_ENTRIES });
  return (name: string) => new MemoryAdapter(name, store);
}

export function createBareProvider(
  issuer: string,
  keys: JWK[],
  clients: RegisteredClient[],
  account: Omit<BenchAccount, "password">,
  adapter: (name: string) => Adapter = memoryAdapter(),
): Provider {
  // Passport's defaults for lifetimes and subject types, read the way Passport reads them.
  const defaults = loadConfig({});
  const pairwiseSalt = crypto.randomBytes(32).toString("base64url");
  const algs = (v: readonly string[]) => [...v] as never;
  const config: Configuration = {
    adapter,
    clients: clients.map((c) => toOidcMetadata(c.clientId, c.input, c.secret)) as never,
    jwks: { keys: keys as never },
    findAccount: (_ctx, sub) =>
      sub === account.id ? { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: false }) } : undefined,
    scopes: SCOPES,
    claims: CLAIMS,
    cookies: { keys: [crypto.randomBytes(32).toString("base64url")] },
    pkce: { required: () => true },
    responseTypes: ["code"],
    subjectTypes: defaults.subjectTypes,
    pairwiseIdentifier: (_ctx, accountId, client) =>
      crypto.createHmac("sha256", pairwiseSalt).update(`${client.clientId}\0${accountId}`).digest("base64url"),
    clientAuthMethods: algs(supportedAlgorithms.tokenEndpointAuthMethods),
    conformIdTokenClaims: true,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    features: {
      devInteractions: { enabled: false },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
    },
    enabledJWA: {
      idTokenSigningAlgValues: algs(supportedAlgorithms.signing),
      userinfoSigningAlgValues: algs(supportedAlgorithms.signing),
      introspectionSigningAlgValues: algs(supportedAlgorithms.signing),
      userinfoEncryptionAlgValues: algs(supportedAlgorithms.encryption),
      userinfoEncryptionEncValues: algs(supportedAlgorithms.encryptionEnc),
      idTokenEncryptionAlgValues: algs(supportedAlgorithms.encryption),
      idTokenEncryptionEncValues: algs(supportedAlgorithms.encryptionEnc),
    },
    ttl: {
      AccessToken: defaults.ttl.accessToken,
      ClientCredentials: defaults.ttl.accessToken,
      AuthorizationCode: defaults.ttl.authorizationCode,
      IdToken: defaults.ttl.idToken,
      RefreshToken: defaults.ttl.refreshToken,
      Session: defaults.ttl.session,
      Grant: defaults.ttl.refreshToken,
      Interaction: defaults.ttl.interaction,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  };
  const provider = new Provider(issuer, config);
  provider.use(autoInteraction(provider, account.id));
  return provider;
}

/** GET /interaction/:uid: logs in `accountId` (no password), then grants what is asked. */
function autoInteraction(provider: Provider, accountId: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.method !== "GET" || !ctx.path.startsWith("/interaction/")) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result: Record<string, unknown>;
    if (details.prompt.name === "login") {
      result = { login: { accountId } };
    } else {
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const url = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(url);
  };
}
