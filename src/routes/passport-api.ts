// Endpoints for relying parties (server to server, no cookies): shared scans by access token, and
// error reports by an authenticated client. Neither sees anything but ciphertext and metadata.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError, parseInput } from "../errors.js";
import { ClientAuthenticator } from "../services/client-auth.js";
import { ERROR_KINDS, type TokenInfo } from "../services/sharing.js";
import type { RouteDeps } from "./index.js";

class InvalidTokenError extends AppError {
  constructor(message = "the access token is missing, expired or revoked") {
    super("invalid_token", message, 401);
  }
}

export const errorsBody = z.object({
  access_token: z.string().min(10).max(4096),
  errors: z
    .array(
      z
        .object({
          type: z.string().max(40),
          version: z.number().int().min(1),
          kind: z.enum(ERROR_KINDS, { message: `kind must be one of ${ERROR_KINDS.join(", ")}` }),
          field: z.string().max(64).optional(),
          file_id: z.string().uuid().optional(),
          message: z.string().trim().min(1).max(500),
        })
        .superRefine((e, ctx) => {
          if (e.kind === "data" && !e.field) ctx.addIssue({ code: "custom", path: ["field"], message: "a data error names the field" });
          if ((e.kind === "file" || e.kind === "translation_file") && !e.file_id) ctx.addIssue({ code: "custom", path: ["file_id"], message: `a ${e.kind} error names the file` });
        }),
    )
    .min(1, "report at least one error")
    .max(50),
});

export function passportApi(d: RouteDeps): Router {
  const r = new Router({ prefix: "/passport" });
  const auth = new ClientAuthenticator(d.container.clients, d.container.oidcStore, d.cfg.issuer, d.container.jwks);

  /**
   * An access token from the Authorization header or the body, resolved through oidc-provider.
   * The lookup (OidcStore.find) reads the token's client's enabled flag from the database in the
   * same statement, never from the client cache: a client disabled or deleted by any process
   * (the CLI included) has its tokens refused here with the next request.
   */
  async function tokenInfo(value: string | undefined, ctx?: Koa.Context): Promise<TokenInfo> {
    // RFC 6750: a bearer-protected resource says how to authenticate when it refuses.
    ctx?.set("www-authenticate", `Bearer realm="${d.cfg.issuer}"${value ? ', error="invalid_token"' : ""}`);
    if (!value) throw new InvalidTokenError("send the access token as Authorization: Bearer <token>");
    const token = await d.host.current.AccessToken.find(value);
    if (!token || !token.grantId || !token.accountId) throw new InvalidTokenError();
    ctx?.remove("www-authenticate");
    return { clientId: token.clientId!, grantId: token.grantId, accountId: token.accountId };
  }

  const bearer = (ctx: Koa.Context) => /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"))?.[1];

  r.get("/files/:id", async (ctx) => {
    const token = await tokenInfo(bearer(ctx), ctx);
    const id = parseInput(z.string().uuid("is not a file id"), ctx.params.id, "file id");
    const file = await d.container.sharing.sharedFile(token, id);
    ctx.set("cache-control", "no-store");
    ctx.set("x-content-sha256", file.sha256);
    ctx.type = "application/octet-stream";
    ctx.length = file.size;
    ctx.body = file.stream;
  });

  r.post("/errors", async (ctx) => {
    const client = await auth.authenticate({ authorization: ctx.get("authorization"), body: (ctx.request.body ?? {}) as Record<string, unknown>, endpoint: `${d.cfg.issuer}/passport/errors` });
    const body = parseInput(errorsBody, ctx.request.body, "error report");
    const token = await tokenInfo(body.access_token);
    // Another client's token is answered exactly like an invalid one: no oracle for its validity.
    if (token.clientId !== client.clientId) throw new InvalidTokenError();
    const reported = await d.container.sharing.reportErrors(
      token,
      client.name,
      body.errors.map((e) => ({ type: e.type, version: e.version, kind: e.kind, field: e.field, fileId: e.file_id, message: e.message })),
    );
    await d.container.clientActivity.countErrorReport(client.clientId, reported);
    ctx.body = { reported };
  });

  return r;
}
