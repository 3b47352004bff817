// oidc-provider's dynamic registration (RFC 7591) and management (RFC 7592) features, wired to
// RegistrationService. The provider runs the protocol; Passport decides who may register (initial
// access tokens, spent atomically in the adapter's InitialAccessToken lookup) and what a client may
// be (the same ClientService rules as every other way in, applied by the registration policy below
// before the provider builds the client, and again when the adapter stores it).
import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type Koa from "koa";
import type Provider from "oidc-provider";
import { type Configuration, errors, type KoaContextWithOIDC } from "oidc-provider";
import { isClientSecretHash, newClientSecret } from "../services/client-secrets.js";
import type { RegistrationService } from "../services/registration.js";
import { PURPOSE, RegistrationMetadataError } from "../services/registration-metadata.js";

/** The policy every initial access token carries (oidc-provider runs it on create and update). */
export const PASSPORT_RULES = "passport-rules";

/** A refusal from RegistrationService → the RFC 7591 error oidc-provider answers with. */
export function asProviderError(err: unknown): unknown {
  if (!(err instanceof RegistrationMetadataError)) return err;
  // oidc-provider's InvalidClientMetadata answers invalid_redirect_uri when the description starts with redirect_uris.
  return new errors.InvalidClientMetadata(err.message);
}

export function registrationConfiguration(reg: RegistrationService): Pick<Configuration, "extraClientMetadata"> & { features: Pick<NonNullable<Configuration["features"]>, "registration" | "registrationManagement"> } {
  return {
    extraClientMetadata: { properties: [PURPOSE] },
    features: {
      registration: {
        enabled: true,
        initialAccessToken: true,
        issueRegistrationAccessToken: true,
        // Same form as the admin page's ids: hex, so a CLI argument never starts with "-".
        idFactory: () => crypto.randomBytes(16).toString("hex"),
        secretFactory: () => newClientSecret(),
        policies: {
          [PASSPORT_RULES]: (_ctx, properties) => {
            try {
              reg.check(properties as Record<string, unknown>);
            } catch (err) {
              throw asProviderError(err);
            }
          },
        },
      },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
    },
  };
}

const CLIENT_PATH = /^\/reg\/([^/]+)$/;
const BODY_LIMIT = 56 * 1024; // oidc-provider's own limit for JSON bodies

/**
 * RFC 7592 lets an update carry the client_secret, which must match. oidc-provider compares it with
 * the stored value, a hash here: a secret that verifies against the hash is replaced by the hash
 * before the provider reads the body (anything else is left for it to refuse).
 */
async function secretToHash(ctx: Koa.Context, reg: RegistrationService): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) break; // cut short, it no longer parses: the provider answers invalid_request
    chunks.push(chunk as Buffer);
  }
  let raw = Buffer.concat(chunks);
  try {
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const hash = typeof body?.client_secret === "string" ? await reg.secretHashIfMatches(decodeURIComponent(CLIENT_PATH.exec(ctx.path)![1]!), body.client_secret) : null;
    if (hash) raw = Buffer.from(JSON.stringify({ ...body, client_secret: hash }));
  } catch {
    // Not JSON: the provider answers invalid_request from the bytes as they came.
  }
  ctx.req.headers["content-length"] = String(raw.length);
  ctx.req = Readable.from([raw], { objectMode: false }) as unknown as IncomingMessage;
}

const MANAGEMENT_ROUTES = new Set(["registration", "client", "client_update"]);

/**
 * After the provider: the stored client_secret is a hash (client-secrets.ts), never the secret, so
 * read and update responses leave it out; the secret appears once, in the registration response.
 * On a refused registration the initial access token's use is given back.
 */
export function installRegistrationHooks(provider: Provider, reg: RegistrationService): void {
  // Plain functions returning next()'s promise, not async ones awaiting it: an awaiting middleware
  // is one more frame in the stack trace of every error oidc-provider builds below it, and it
  // builds several on each userinfo and introspection (docs/decisions.md, Performance).
  provider.use((ctx, next) => (ctx.method === "PUT" && CLIENT_PATH.test(ctx.path) && ctx.is("application/json") ? secretToHash(ctx, reg).then(() => next()) : next()));
  provider.use((ctx, next) => next().then(() => afterManagement(ctx as KoaContextWithOIDC, reg)));
}

async function afterManagement(ctx: KoaContextWithOIDC, reg: RegistrationService): Promise<void> {
  const route = ctx.oidc?.route;
  // Awaited before the answer leaves, so the client sees the use back as soon as it sees the refusal.
  const iat = route === "registration" && ctx.status >= 400 ? (ctx.oidc.entities.InitialAccessToken as { jti?: string } | undefined) : undefined;
  if (iat?.jti) await reg.refund(iat.jti).catch(() => undefined); // the refusal stands even if the refund fails
  const body = ctx.body as Record<string, unknown> | undefined;
  if (route && MANAGEMENT_ROUTES.has(route) && body && typeof body === "object" && isClientSecretHash(body.client_secret)) {
    delete body.client_secret;
    delete body.client_secret_expires_at;
  }
}
