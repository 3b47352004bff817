// oidc-provider's adapter interface over OidcStore, one instance per model name. Clients are not
// in the artifact table: the Client model reads the clients table through ClientService, and
// dynamic registration (RFC 7591/7592) writes it through RegistrationService. Initial access tokens
// live in their own table: looking one up spends a use (see registration.ts).
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { OidcStore } from "../db/oidc-store.js";
import type { ClientService } from "../services/clients.js";
import type { RegistrationService } from "../services/registration.js";
import { asProviderError, PASSPORT_RULES } from "./registration.js";
import { type RefreshTake, RequestArtifacts } from "./request-artifacts.js";
import { type AccessTokenSigner, openAccessToken, openRefreshToken, type RefreshTokenSigner, spendOf } from "./signed-grant-tokens.js";
import { isSignedToken } from "./token-signer.js";

/** What oidc-provider calls each single-use artifact in its errors. */
const SINGLE_USE: Record<string, string> = {
  AuthorizationCode: "authorization code",
  RefreshToken: "refresh token",
  DeviceCode: "device code",
  BackchannelAuthenticationRequest: "backchannel authentication request",
};

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * What the token endpoint's code and refresh grants need of the adapter (provider.ts): the code or
 * refresh token is spent while the grant goes on (request-artifacts.ts), and confirmSpends refuses
 * the request as a replay, ending the grant, if another request spent it first.
 */
export interface SpendConfirmation {
  deferSpends(take?: RefreshTake): void;
  confirmSpends(): Promise<void>;
}

/** The adapter class oidc-provider is configured with, and the spend confirmation sharing its request state. */
export interface OidcStorage {
  Adapter: new (name: string) => Adapter;
  spends: SpendConfirmation;
}

/** The signers of self-contained grant tokens (signed-grant-tokens.ts). */
export interface GrantTokenSigners {
  accessTokens: AccessTokenSigner;
  refreshTokens: RefreshTokenSigner;
}

/** `signers` open signed access and refresh tokens; without them (tests of the store alone) none is found. */
export function adapterFactory(store: OidcStore, clients: ClientService, registration?: RegistrationService, signers?: GrantTokenSigners): OidcStorage {
  // Within a provider request: tokens read with their grants, new tokens written together (request-artifacts.ts).
  const artifacts = new RequestArtifacts(store);
  /** A signed refresh token's spend (its marker's key and lifetime), if `id` is one: oidc-provider hands the value as its jti. */
  const signedSpend = (kind: string, id: string) => (kind === "RefreshToken" && signers?.refreshTokens.owns(id) ? spendOf(signers.refreshTokens, id) : undefined);

  /**
   * oidc-provider checks `consumed` on what it read, then spends it: requests sent together all
   * pass the check. The store spends a row once; a request that finds it spent meanwhile is a
   * replay and is answered as oidc-provider answers one sent later: the grant ends, with every
   * token the winning request was given, and the request fails.
   */
  async function refuseSpent(kind: string, id: string): Promise<never> {
    if (kind === "PushedAuthorizationRequest") throw new errors.InvalidRequestUri("request_uri is invalid, expired, or was already used");
    const grantId = signedSpend(kind, id)?.grantId ?? str((await store.find(kind, { id }))?.grantId);
    if (grantId) {
      await artifacts.revokeGrant(grantId); // the grant too
    }
    throw new errors.InvalidGrant(`${SINGLE_USE[kind] ?? kind} already used`);
  }
  const spends: SpendConfirmation = {
    deferSpends: (take) => artifacts.deferSpends(take),
    async confirmSpends() {
      const lost = await artifacts.confirmSpends();
      if (lost) await refuseSpent(lost.kind, lost.id);
    },
  };
  class TypeOrmAdapter implements Adapter {
    constructor(private readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === "Client") {
        if (!registration) throw new Error("clients are managed on the admin page, not by registration");
        await registration.save(id, payload as Record<string, unknown>).catch((err: unknown) => {
          throw asProviderError(err);
        });
        return;
      }
      await artifacts.upsert(this.name, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === "Client") return (await clients.findEnabledMetadata(id)) as AdapterPayload | undefined;
      // oidc-provider looks an initial access token up once per registration: that lookup spends
      // one use, atomically in the database, so a token with k uses admits exactly k registrations.
      if (this.name === "InitialAccessToken") {
        const spent = await registration?.spend(id);
        return spent ? ({ jti: id, kind: "InitialAccessToken", iat: Math.floor(Date.now() / 1000), exp: spent.exp, policies: [PASSPORT_RULES] } as AdapterPayload) : undefined;
      }
      // A signed access token opens with its grant, a signed refresh token with its grant and spent marker (signed-grant-tokens.ts).
      if (this.name === "AccessToken" && signers?.accessTokens.owns(id)) return (await openAccessToken(signers.accessTokens, id, (g) => artifacts.grant(g))) as AdapterPayload | undefined;
      if (this.name === "RefreshToken" && signers?.refreshTokens.owns(id)) {
        return (await openRefreshToken(signers.refreshTokens, id, (token) => artifacts.refreshGrant(token))) as AdapterPayload | undefined;
      }
      // A signed value is no other kind's id (introspection asks every kind): no read.
      if (isSignedToken(id)) return undefined;
      return (await artifacts.find(this.name, id)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await store.find(this.name, { userCode })) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await store.find(this.name, { uid })) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      const signed = signedSpend(this.name, id);
      if (signed && artifacts.spentOnRead(id)) return; // spent by the read that found it (RequestArtifacts.refreshGrant)
      const spend = signed ? () => store.markSpent(signed.jti, signed.expiresAt) : () => store.consume(this.name, id);
      if (artifacts.deferSpend(this.name, id, spend)) return; // a code or refresh grant: confirmSpends checks it
      if (!(await artifacts.write(spend))) await refuseSpent(this.name, id);
    }

    async destroy(id: string): Promise<void> {
      if (this.name === "Client") return registration?.remove(id); // RFC 7592 delete
      // The grant's revocation, asked for with it, removes it already (revokeGrant).
      const revoking = this.name === "Grant" ? artifacts.revoking(id) : undefined;
      if (revoking) return revoking;
      // A signed refresh token has no row: destroying it (a revocation, a replay) spends it for good.
      const signed = signedSpend(this.name, id);
      if (signed) return void (await artifacts.write(() => store.markSpent(signed.jti, signed.expiresAt)));
      await artifacts.write(() => store.destroy(this.name, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await artifacts.revokeGrant(grantId);
    }
  }
  return { Adapter: TypeOrmAdapter, spends };
}
