// The playground's relying party lives in the visitor's browser (src/web/playground.ts). The
// browser makes an ECDH P-256 key pair whose private half never leaves it, and asks here for a
// short-lived PUBLIC client registered for the public half: PKCE instead of a secret, the
// playground callback as its only redirect URI. The server keeps no playground key: whatever it
// stores for these clients is ciphertext for a key only that browser held, and the client (with its
// grants, tokens and payloads) is purged when it expires.
import crypto from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { z } from "zod";
import type { PlaygroundClientStore } from "../db/playground-clients.js";
import { NotFoundError, parseInput, ValidationError } from "../errors.js";
import { PASSPORT_SCOPES } from "../sharing/scopes.js";
import type { ClientService } from "./clients.js";
import type { RateLimiter } from "./rate-limit.js";

export const PLAYGROUND_CLIENT_NAME = "Passport playground";
export const PLAYGROUND_CLIENT_PREFIX = "playground-";

export interface PlaygroundLimits {
  /** How long a registered client lives, in ms. */
  lifetimeMs: number;
  /** Registrations per address per `windowMs`. */
  perAddress: number;
  /** Registrations from all addresses together per `windowMs`: bounds the live clients. */
  total: number;
  windowMs: number;
}

/** A browser keeps its client for the hour, so 10 an hour is plenty for a person; 1,000 bounds the table. */
export const DEFAULT_PLAYGROUND_LIMITS: PlaygroundLimits = { lifetimeMs: 3600_000, perAddress: 10, total: 1000, windowMs: 3600_000 };

const coordinate = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a base64url P-256 coordinate");
/** What the browser sends: its public ECDH key as WebCrypto exports it (private parts refused). */
export const playgroundRegistration = z.object({
  jwk: z
    .object({ kty: z.literal("EC", { message: "kty must be EC" }), crv: z.literal("P-256", { message: "crv must be P-256" }), x: coordinate, y: coordinate })
    .passthrough()
    .refine((k) => !("d" in k), "send the public key only"),
});

export interface PlaygroundRegistration {
  clientId: string;
  expiresAt: number;
  redirectUri: string;
}

export class PlaygroundService {
  constructor(
    private readonly store: PlaygroundClientStore,
    private readonly clients: ClientService,
    private readonly limiter: RateLimiter,
    private readonly issuer: string,
    private readonly limits: PlaygroundLimits = DEFAULT_PLAYGROUND_LIMITS,
  ) {}

  get redirectUri(): string {
    return `${this.issuer}/playground/callback`;
  }

  /**
   * Registers a public client for the browser's public key. The registration is counted first
   * (atomic counters, per address and in all), so parallel requests cannot pass the limit together;
   * one that then fails gives its count back.
   */
  async register(raw: unknown, address: string, now = Date.now()): Promise<PlaygroundRegistration> {
    const { jwk } = parseInput(playgroundRegistration, raw, "playground registration");
    const publicJwk = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
    try {
      crypto.createPublicKey({ key: publicJwk, format: "jwk" });
    } catch {
      throw new ValidationError("the key is not a point on P-256", { jwk: "not a P-256 public key" });
    }
    const rule = (limit: number) => ({ limit, windowMs: this.limits.windowMs });
    const ticket = await this.limiter.reserve(
      [
        { key: `playground:ip:${address}`, rule: rule(this.limits.perAddress) },
        { key: "playground:all", rule: rule(this.limits.total) },
      ],
      "Too many playground sessions.",
      now,
    );
    const clientId = `${PLAYGROUND_CLIENT_PREFIX}${crypto.randomBytes(16).toString("hex")}`;
    const expiresAt = now + this.limits.lifetimeMs;
    // The row first: whatever happens next, the purge will find the client.
    await this.store.insert({ clientId, createdAt: now, expiresAt });
    try {
      const kid = await calculateJwkThumbprint(publicJwk);
      await this.clients.create(
        {
          name: PLAYGROUND_CLIENT_NAME,
          redirectUris: [this.redirectUri],
          type: "public",
          tokenEndpointAuthMethod: "none",
          grantTypes: ["authorization_code"],
          scopes: ["openid", "email", ...PASSPORT_SCOPES],
          jwks: { keys: [{ ...publicJwk, kid, use: "enc", alg: "ECDH-ES+A256KW" }] },
          subjectType: "pairwise",
          // The browser checks the ID token with WebCrypto, which every browser has for ES256.
          idTokenSignedResponseAlg: "ES256",
        },
        // Throwaway clients the server registers itself: no change log (it would outlive them by design).
        { clientId, actor: null },
      );
    } catch (err) {
      await this.store.delete(clientId);
      await ticket.release();
      throw err;
    }
    return { clientId, expiresAt, redirectUri: this.redirectUri };
  }

  /** Deletes expired playground clients with their grants, tokens and stored payloads. */
  async purgeExpired(now = Date.now()): Promise<number> {
    let purged = 0;
    // Bounded batches: a backlog is worked off over a few purges, never in one long transaction.
    for (let round = 0; round < 10; round++) {
      const ids = await this.store.expired(now, 200);
      if (!ids.length) break;
      for (const id of ids) {
        await this.clients.delete(id, null).catch((err) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
      }
      await this.store.purge(ids);
      purged += ids.length;
    }
    return purged;
  }
}
