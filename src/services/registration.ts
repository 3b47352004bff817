// Dynamic client registration (RFC 7591/7592). oidc-provider runs the protocol (its `registration`
// and `registrationManagement` features, configured in src/oidc/provider.ts); this service decides:
// initial access tokens (issued by admins, stored hashed, spent atomically), and what a registered
// client becomes: the same ClientService rules as the admin page, the CLI and the console.
import crypto from "node:crypto";
import type { Config } from "../config.js";
import type { InitialAccessTokenStore } from "../db/initial-access-tokens.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ClientService } from "./clients.js";
import { toOidcMetadata } from "./clients.js";
import { hashClientSecret, isClientSecretHash, verifyClientSecret } from "./client-secrets.js";
import { fromMetadata, PROVIDER_FIELDS, PURPOSE, toRegistrationError } from "./registration-metadata.js";

export interface InitialAccessTokenView {
  id: string;
  createdAt: number;
  expiresAt: number;
  /** null: unlimited until expiry. */
  usesLeft: number | null;
  used: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
export const MAX_TOKEN_DAYS = 365;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DEFAULT_EXPIRES_IN = "7d";

/** "30m", "12h", "7d" → milliseconds; how long an initial access token stays valid. */
export function parseExpiresIn(text: string): number {
  const m = /^\s*(\d{1,6})\s*([mhd])\s*$/.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!(ms >= 60_000 && ms <= MAX_TOKEN_DAYS * 86_400_000)) {
    throw new ValidationError(`expires in: a duration like 30m, 12h or 7d, from 1m to ${MAX_TOKEN_DAYS}d`, { expiresIn: `a duration like 30m, 12h or 7d, from 1m to ${MAX_TOKEN_DAYS}d` });
  }
  return ms;
}

export class RegistrationService {
  constructor(
    private readonly tokens: InitialAccessTokenStore,
    private readonly clients: ClientService,
    private readonly policy: Config["developers"],
  ) {}

  /** A new initial access token; the token itself is returned here only. */
  async issue(opts: { expiresInMs: number; uses?: number | null; now?: number }): Promise<{ token: string } & InitialAccessTokenView> {
    if (!Number.isSafeInteger(opts.expiresInMs) || opts.expiresInMs < 60_000 || opts.expiresInMs > MAX_TOKEN_DAYS * 86_400_000) {
      throw new ValidationError(`expires in: between one minute and ${MAX_TOKEN_DAYS} days`, { expiresIn: `between one minute and ${MAX_TOKEN_DAYS} days` });
    }
    const uses = opts.uses ?? null;
    if (uses !== null && (!Number.isSafeInteger(uses) || uses < 1 || uses > 1_000_000)) {
      throw new ValidationError("uses: a whole number from 1 to 1000000 (or none for unlimited)", { uses: "a whole number from 1 to 1000000" });
    }
    const now = opts.now ?? Date.now();
    const token = crypto.randomBytes(32).toString("base64url");
    const row = { tokenHash: hash(token), id: crypto.randomBytes(8).toString("hex"), createdAt: now, expiresAt: now + opts.expiresInMs, usesLeft: uses, used: 0 };
    await this.tokens.insert(row);
    return { token, ...view(row) };
  }

  async list(): Promise<InitialAccessTokenView[]> {
    return (await this.tokens.list()).map(view);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.tokens.revoke(id))) throw new NotFoundError(`no initial access token ${id}`);
  }

  purgeExpired(): Promise<number> {
    return this.tokens.purgeExpired();
  }

  /**
   * Spends one use of an initial access token, atomically in the database: of N parallel
   * registrations with a token that has k uses left, exactly k get true. Returns the token's
   * expiry (epoch seconds) for oidc-provider, or null when it is unknown, expired or used up.
   */
  async spend(token: unknown, now = Date.now()): Promise<{ exp: number } | null> {
    if (typeof token !== "string" || !TOKEN.test(token)) return null;
    if (!(await this.tokens.spend(hash(token), now))) return null;
    const row = await this.tokens.get(hash(token));
    return row ? { exp: Math.floor(row.expiresAt / 1000) } : null;
  }

  /** Gives the use back when the registration it paid for was refused. */
  async refund(token: string): Promise<void> {
    if (TOKEN.test(token)) await this.tokens.refund(hash(token));
  }

  /**
   * Rewrites registration metadata (in place) into what Passport will store, so the response shows
   * exactly what was registered; throws RegistrationMetadataError (RFC 7591 code, field named).
   * Fields Passport does not support are dropped (RFC 7591 §3.2.1 lets the server replace values).
   */
  check(properties: Record<string, unknown>): void {
    const { raw, purpose } = fromMetadata(properties);
    let normalized: Record<string, unknown>;
    try {
      const input = this.clients.check(raw);
      normalized = toOidcMetadata(String(properties.client_id), input, null);
    } catch (err) {
      if (err instanceof ValidationError) throw toRegistrationError(err);
      throw err;
    }
    const kept = Object.fromEntries(PROVIDER_FIELDS.filter((k) => properties[k] !== undefined).map((k) => [k, properties[k]]));
    for (const k of Object.keys(properties)) delete properties[k];
    Object.assign(properties, normalized, kept, purpose ? { [PURPOSE]: purpose } : {});
  }

  /** oidc-provider stores a registered or updated client (adapter upsert): through ClientService. */
  async save(clientId: string, metadata: Record<string, unknown>): Promise<void> {
    const { raw, purpose } = fromMetadata(metadata);
    // oidc-provider hands over the secret it generated (and returned once); only its hash is kept.
    const secret = metadata.client_secret;
    const secretHash = typeof secret !== "string" ? null : isClientSecretHash(secret) ? secret : hashClientSecret(secret);
    // An RFC 7592 update replaces the whole registration: no passport_purpose clears it.
    const opts = { purpose, requireApproval: this.policy.passportScopes === "approval", actor: { via: "registration" as const }, secretHash };
    try {
      if (await this.clients.exists(clientId)) await this.clients.update(clientId, raw, opts);
      else await this.clients.create(raw, { ...opts, purpose: purpose ?? undefined, clientId });
    } catch (err) {
      if (err instanceof ValidationError) throw toRegistrationError(err);
      throw err;
    }
  }

  /** The stored hash of the client's secret when `presented` is that secret (RFC 7592 updates may carry it). */
  async secretHashIfMatches(clientId: string, presented: string): Promise<string | null> {
    const stored = (await this.clients.findEnabledMetadata(clientId))?.client_secret;
    return verifyClientSecret(stored, presented) ? (stored as string) : null;
  }

  /** RFC 7592 delete: the client with its grants, tokens and shared payloads (ClientService.delete). */
  async remove(clientId: string): Promise<void> {
    await this.clients.delete(clientId, { via: "registration" }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
  }
}

function view(r: InitialAccessTokenView): InitialAccessTokenView {
  return { id: r.id, createdAt: r.createdAt, expiresAt: r.expiresAt, usesLeft: r.usesLeft, used: r.used };
}
