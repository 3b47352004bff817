// Artifact reads shared within one oidc-provider request, so that the token endpoints send one
// statement where oidc-provider asks for several (see docs/decisions.md, Performance):
// - a presented token is read as every token kind at once, with its grant (OidcStore.findToken);
//   introspection's parallel finds of one value as AccessToken, ClientCredentials and RefreshToken
//   join that one read while it is in flight;
// - the grant read with a token answers the request's next find of that grant, once.
// Nothing outlives the request or crosses to another one: every request reads the database
// afresh, so a revocation committed before it began holds for it. Any write the request makes
// through the adapter drops what it holds, so it never reads back something older than its own write.
import Provider from "oidc-provider";
import { type FoundToken, type OidcStore, type StoredPayload, TOKEN_KINDS } from "../db/oidc-store.js";

const TOKEN_KIND_SET = new Set<string>(TOKEN_KINDS);

interface Held {
  /** Token reads in flight, by token value. */
  tokens: Map<string, Promise<FoundToken>>;
  /** Grants read with a token and not yet asked for (null: the token's grant is gone or unusable). */
  grants: Map<string, StoredPayload | null>;
}

/** Keyed by oidc-provider's request context (Provider.ctx, its AsyncLocalStorage): gone with the request. */
const byRequest = new WeakMap<object, Held>();

function held(): Held | undefined {
  const ctx = Provider.ctx;
  if (!ctx) return undefined;
  let h = byRequest.get(ctx);
  if (!h) byRequest.set(ctx, (h = { tokens: new Map(), grants: new Map() }));
  return h;
}

export class RequestReads {
  constructor(private readonly store: OidcStore) {}

  /** What OidcStore.find(kind, { id }) answers, sharing reads within the current request. */
  async find(kind: string, id: string): Promise<StoredPayload | undefined> {
    const h = held();
    if (h && TOKEN_KIND_SET.has(kind)) return (await this.token(h, id)).tokens.get(kind);
    if (h && kind === "Grant" && h.grants.has(id)) {
      const grant = h.grants.get(id);
      h.grants.delete(id);
      return grant ?? undefined;
    }
    return this.store.find(kind, { id });
  }

  /** The request wrote: nothing read before may answer after. */
  wrote(): void {
    const ctx = Provider.ctx;
    if (ctx) byRequest.delete(ctx);
  }

  private token(h: Held, value: string): Promise<FoundToken> {
    let read = h.tokens.get(value);
    if (!read) {
      read = this.store.findToken(value).then(
        (found) => {
          // Only finds already waiting share this read; a later find reads again.
          if (h.tokens.get(value) === read) h.tokens.delete(value);
          for (const [grantId, grant] of found.grants) h.grants.set(grantId, grant);
          return found;
        },
        (err: unknown) => {
          if (h.tokens.get(value) === read) h.tokens.delete(value);
          throw err;
        },
      );
      h.tokens.set(value, read);
    }
    return read;
  }
}
