// oidc-provider's artifact reads and writes within one of its requests, arranged so that a token
// request sends as few statements as the protocol allows (see docs/decisions.md, Performance):
// - A presented token is read as every token kind at once, with its grant (OidcStore.findToken);
//   a signed access token is read as its grant (OidcStore.findGrant), a signed refresh token as
//   its grant and its spent marker (OidcStore.findRefreshGrant).
//   Introspection's parallel finds of one value (AccessToken, ClientCredentials, RefreshToken)
//   join that one read while it is in flight, and the grant read with the token answers the
//   request's next find of that grant, once.
// - A newly minted token (access, refresh, client credentials token or authorization code) is not
//   waited for where it is minted: its write starts at once and shares a commit with the other
//   tokens the request mints (a refresh mints two), and the request waits for it when it ends,
//   before its answer leaves. Nobody can present a token before that answer.
// - In the token endpoint's code and refresh grants, spending the code or refresh token is not
//   waited for where oidc-provider spends it: the spend is sent at once and the grant goes on
//   (its new tokens' writes, the ID token's signature) while it is in flight; it shares their
//   commit (on PostgreSQL their statement too: OidcStore.batchWrite). The grant waits for
//   it before its answer is made final (deferSpends, confirmSpends in adapter.ts): if another
//   request spent it first, this one is refused as a replay then, exactly as it would have been
//   at the spend, and the tokens it wrote end with the grant before anyone saw them. On
//   PostgreSQL a refresh grant's signed refresh token is spent as it is read instead, in the
//   statement that reads its grant (refreshGrant): one round trip a refresh, where nothing
//   oidc-provider checks between the read and the spend can fail for the request's own reasons.
// Nothing outlives the request or crosses to another one: every request reads the database
// afresh (on SQLite, or the store's token cache, which a change empties before the next request),
// so a revocation committed before it began holds for it. Everything else the adapter does
// (consuming a refresh token or code elsewhere, deleting, revoking, saving sessions and grants) is
// written at once, and drops what the request read before, as does any write; a read waits for the
// request's own writes first, so it never misses them.
import Provider from "oidc-provider";
import { type FoundToken, type OidcStore, type RefreshGrant, type StoredPayload, TOKEN_KINDS } from "../db/oidc-store.js";
import type { RefreshRead } from "./signed-grant-tokens.js";

const TOKEN_KIND_SET = new Set<string>(TOKEN_KINDS);
const noop = () => undefined;

interface Scope {
  /** Token reads in flight, by token value. */
  tokens: Map<string, Promise<FoundToken>>;
  /** Grants read with a token and not yet asked for (null: the token's grant is gone or unusable). */
  grants: Map<string, StoredPayload | null>;
  /** Token writes not yet committed, and the first of them that failed. */
  writes: Promise<void>[];
  failed?: { error: unknown };
  /** Set while a code or refresh grant runs: its spend is sent but not waited for (deferSpend). */
  defersSpends: boolean;
  /** Spends sent and not yet confirmed. */
  spends: DeferredSpend[];
  /** A refresh grant's token that may be spent as it is read (deferSpends), until it is. */
  take?: RefreshTake;
  /** The refresh token spent as it was read: its spend later is done already. */
  taken?: string;
  /** Grants being revoked, asked for in this turn of the event loop (revokeGrant). */
  revoking: Map<string, Promise<void>>;
}

/**
 * The refresh token a refresh grant presents and the client that presents it: spent as it is read
 * where the store can do so in the same statement (PostgreSQL), when nothing oidc-provider checks
 * between its read and its spend can fail for the request's own reasons (provider.ts decides).
 */
export interface RefreshTake {
  value: string;
  clientId: string;
}

/** A code or refresh token being spent; `won` is false if another request spent it first. */
export interface DeferredSpend {
  kind: string;
  id: string;
  won: Promise<boolean>;
}

/** Keyed by the request's Koa context, which oidc-provider's AsyncLocalStorage hands back (Provider.ctx). */
const scopes = new WeakMap<object, Scope>();

/** The provider request being served (its Koa context), if any. */
export const providerRequest = (): object | undefined => Provider.ctx ?? undefined;

function current(): Scope | undefined {
  const ctx = Provider.ctx;
  return ctx ? scopes.get(ctx) : undefined;
}

/** Waits for the request's writes and spends in flight; throws if a write failed. */
async function settle(scope: Scope): Promise<void> {
  await drain(scope);
  if (scope.failed) throw scope.failed.error;
}

async function drain(scope: Scope): Promise<void> {
  while (scope.writes.length) await Promise.all(scope.writes.splice(0));
  await Promise.allSettled(scope.spends.map((s) => s.won));
}

/** Waits for the request's pending writes, if it has any (most reads have none: no promise to wait on). */
const pending = (scope: Scope) => scope.writes.length > 0 || scope.failed !== undefined || scope.spends.length > 0;

/**
 * Opens the scope of a provider request (called by the provider's outermost middleware, see
 * provider.ts); the function returned waits, when the request is done, for its token writes: a
 * failed write fails the request instead of handing out a token that is not stored. Without a
 * scope, the adapter reads and writes one statement at a time.
 */
export function openArtifactScope(ctx: object): () => Promise<void> {
  const scope: Scope = { tokens: new Map(), grants: new Map(), writes: [], defersSpends: false, spends: [], revoking: new Map() };
  scopes.set(ctx, scope);
  return async () => {
    if (pending(scope)) await settle(scope);
  };
}

export class RequestArtifacts {
  constructor(private readonly store: OidcStore) {}

  /** What OidcStore.find(kind, { id }) answers, sharing reads within the current request. */
  async find(kind: string, id: string): Promise<StoredPayload | undefined> {
    const scope = current();
    if (!scope) return this.store.find(kind, { id });
    if (pending(scope)) await settle(scope);
    if (TOKEN_KIND_SET.has(kind)) return (await this.token(scope, id)).tokens.get(kind);
    if (kind === "Grant" && scope.grants.has(id)) {
      const grant = scope.grants.get(id);
      scope.grants.delete(id);
      return grant ?? undefined;
    }
    return this.store.find(kind, { id });
  }

  /**
   * A grant a signed access token names (signed-grant-tokens.ts), read with the turn's other
   * grant reads; it answers the request's next find of that grant, once, as a grant read with a token does.
   */
  async grant(grantId: string): Promise<StoredPayload | undefined> {
    const scope = current();
    if (scope && pending(scope)) await settle(scope);
    const grant = await this.store.findGrant(grantId);
    scope?.grants.set(grantId, grant ?? null);
    return grant;
  }

  /**
   * A signed refresh token's grant and spent marker (OidcStore.findRefreshGrant); the grant
   * answers the request's next find of it, once. The refresh grant's own token, unbound and of the
   * client presenting it, is spent in the same statement (OidcStore.takeRefreshGrant), once: it is
   * then answered as spent only if it was spent before, and its spend later is done already.
   */
  async refreshGrant(token: RefreshRead): Promise<RefreshGrant> {
    const scope = current();
    if (scope && pending(scope)) await settle(scope);
    const found = scope && this.takes(scope, token) ? await this.take(scope, token) : await this.store.findRefreshGrant(token.grantId, token.jti);
    scope?.grants.set(token.grantId, found.grant ?? null);
    return found;
  }

  /** Whether reading `token` spends it: see refreshGrant. */
  private takes(scope: Scope, token: RefreshRead): boolean {
    const take = scope.take;
    return !!take && take.value === token.value && take.clientId === token.clientId && !token.bound && this.store.takesOnRead;
  }

  private async take(scope: Scope, token: RefreshRead): Promise<RefreshGrant> {
    scope.take = undefined;
    const { grant, won } = await this.store.takeRefreshGrant(token);
    if (won) scope.taken = token.value;
    return { grant, spentAt: won ? null : Date.now() };
  }

  /** Whether the current request spent this refresh token as it read it (see refreshGrant). */
  spentOnRead(value: string): boolean {
    return current()?.taken === value;
  }

  async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const scope = current();
    this.forget(scope);
    if (!scope || !TOKEN_KIND_SET.has(kind)) return this.store.upsert(kind, id, payload, expiresIn);
    scope.writes.push(
      this.store.upsert(kind, id, payload, expiresIn).catch((error: unknown) => {
        scope.failed ??= { error };
      }),
    );
  }

  /** Runs a write other than a token upsert in the current request: at once, after the request's pending writes. */
  async write<T>(work: () => Promise<T>): Promise<T> {
    const scope = current();
    this.forget(scope);
    if (scope && pending(scope)) await settle(scope);
    return work();
  }

  /**
   * Ends a grant with every token of it, whatever its kind (OidcStore.revokeByGrantId), as a write.
   * oidc-provider asks once per token kind, all in one turn (its helpers/revoke.js), then destroys
   * the grant: what is asked in the same turn of the same request joins the first ask, so a
   * revocation sends one transaction, not one per kind. Asked later, it runs again.
   */
  revokeGrant(grantId: string): Promise<void> {
    const scope = current();
    const joined = this.revoking(grantId);
    if (joined) return joined;
    const revoked = this.write(() => this.store.revokeByGrantId(grantId));
    if (scope) {
      scope.revoking.set(grantId, revoked);
      queueMicrotask(() => scope.revoking.delete(grantId));
    }
    return revoked;
  }

  /** The revocation of this grant asked for in this turn of the current request, if any (revokeGrant). */
  revoking(grantId: string): Promise<void> | undefined {
    return current()?.revoking.get(grantId);
  }

  /**
   * From now on in this request, spends go through deferSpend (a code or refresh grant begins);
   * `take`, in a refresh grant, is its token where it may be spent as it is read (refreshGrant).
   * On both databases: on SQLite too the spend then shares its commit with the new tokens, and the
   * grant goes on meanwhile (docs/decisions.md, "Sixteenth round"; the twelfth round had measured
   * the opposite there, before token reads and answers waited for the end of the turn).
   */
  deferSpends(take?: RefreshTake): void {
    const scope = current();
    if (!scope) return;
    scope.defersSpends = true;
    scope.take = take;
  }

  /**
   * In a grant that defers its spends: sends `spend` (after the request's pending writes, like any
   * write) without waiting for it, and returns true. Elsewhere returns false and sends nothing.
   */
  deferSpend(kind: string, id: string, spend: () => Promise<boolean>): boolean {
    const scope = current();
    if (!scope?.defersSpends) return false;
    this.forget(scope);
    const won = (pending(scope) ? settle(scope) : Promise.resolve()).then(spend);
    won.catch(noop); // its failure is reported by confirmSpends, not as an unhandled rejection
    scope.spends.push({ kind, id, won });
    return true;
  }

  /**
   * Ends the deferral (the grant has made its answer, or failed): waits for every spend and for the
   * request's token writes. Returns the first spend that lost, after its request's own writes
   * settled whatever became of them (nothing of this request is handed out then); throws a
   * spend's or write's error otherwise.
   */
  async confirmSpends(): Promise<DeferredSpend | undefined> {
    const scope = current();
    if (!scope) return undefined;
    scope.defersSpends = false;
    scope.take = undefined;
    const spends = scope.spends;
    let lost: DeferredSpend | undefined;
    for (const s of spends) if (!(await s.won) && !lost) lost = s;
    scope.spends = [];
    if (!lost) {
      await settle(scope);
      return undefined;
    }
    await drain(scope);
    scope.failed = undefined;
    return lost;
  }

  /** The request wrote: nothing it read before may answer after. */
  private forget(scope: Scope | undefined): void {
    scope?.tokens.clear();
    scope?.grants.clear();
  }

  private token(scope: Scope, value: string): Promise<FoundToken> {
    let read = scope.tokens.get(value);
    if (!read) {
      const forget = () => {
        // Only finds already waiting share this read; a later find reads again.
        if (scope.tokens.get(value) === read) scope.tokens.delete(value);
      };
      read = this.store.findToken(value).then(
        (found) => {
          if (scope.tokens.get(value) === read) for (const [grantId, grant] of found.grants) scope.grants.set(grantId, grant);
          forget();
          return found;
        },
        (err: unknown) => {
          forget();
          throw err;
        },
      );
      scope.tokens.set(value, read);
    }
    return read;
  }
}
