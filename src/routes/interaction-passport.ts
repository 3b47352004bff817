// The Passport part of consent. The page's script (src/web/consent.ts) fetches what the request
// asks for and the client's encryption key, opens the holder's documents in the browser, seals the
// payload, and posts only the JWE here. The server records it with the grant and continues the flow.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError, ForbiddenError, parseInput } from "../errors.js";
import { RecoveryKeyUnconfirmedError } from "../services/accounts.js";
import { SCOPE_DESCRIPTIONS } from "../oidc/claims.js";
import { isPassportScope } from "../sharing/scopes.js";
import { parseShareRequest } from "../sharing/request.js";
import type { RouteDeps } from "./index.js";
import { type Details, loadDetails, resultUrl, saveGrant } from "./interaction-steps.js";

export const hasPassportRequest = (details: Details) => String(details.params.scope ?? "").split(" ").some(isPassportScope);

export const shareBody = z.object({
  jwe: z.string().min(10).max(512 * 1024),
  types: z.array(z.string().max(40)).max(20),
  fileIds: z.array(z.string().uuid()).max(400).default([]),
});

export function passportInteractionRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/interaction/:uid" });
  const provider = () => d.host.current;

  /** Loads the interaction and checks that it is a Passport consent of the signed-in holder. */
  async function passportStep(ctx: Koa.Context) {
    const details = await loadDetails(ctx, provider());
    if (details.prompt.name !== "consent" || !hasPassportRequest(details)) {
      throw new AppError("invalid_request", "this request does not ask for documents", 400);
    }
    const accountId = details.session?.accountId;
    if (!accountId || ctx.state.account?.id !== accountId) throw new ForbiddenError("sign in again to answer this request");
    if (!ctx.state.account.recoveryKeyConfirmed) throw new RecoveryKeyUnconfirmedError();
    const clientId = String(details.params.client_id);
    const key = await d.container.sharing.encryptionKey(clientId);
    if (!key) throw new AppError("client_key_missing", "This app has no usable encryption key, so nothing can be shared with it.", 409);
    return { details, accountId, clientId, key, request: parseShareRequest(String(details.params.scope), details.params.claims) };
  }

  r.get("/passport", async (ctx) => {
    const { details, accountId, clientId, key, request } = await passportStep(ctx);
    const client = await provider().Client.find(clientId);
    const missing = ((details.prompt.details as { missingOIDCScope?: string[] }).missingOIDCScope ?? []);
    ctx.set("cache-control", "no-store");
    ctx.body = {
      client: { id: clientId, name: client?.clientName ?? clientId, logoUri: client?.logoUri ?? null },
      issuer: d.cfg.issuer,
      sub: await d.host.subjectFor(clientId, accountId),
      nonce: details.params.nonce,
      request,
      otherScopes: missing.filter((s) => !isPassportScope(s) && s !== "openid").map((s) => ({ name: s, text: SCOPE_DESCRIPTIONS[s] ?? s })),
      // Consent given before: the page may seal and continue without asking again.
      remembered: !missing.some(isPassportScope),
      encryptionKey: key,
    };
  });

  r.post("/share", async (ctx) => {
    const body = parseInput(shareBody, ctx.request.body, "share");
    const { details, accountId, clientId, key, request } = await passportStep(ctx);
    const client = await provider().Client.find(clientId);
    const input = {
      accountId,
      clientId,
      clientName: client?.clientName ?? clientId,
      jwe: body.jwe,
      types: body.types,
      fileIds: body.fileIds,
      allowedTypes: [...new Set(request.entries.flatMap((e) => e.types))],
    };
    await d.container.sharing.validate(input, key);
    const grantId = await saveGrant(provider(), details, accountId);
    await d.container.sharing.save({ ...input, grantId }, key);
    await d.container.clientActivity.countShare(clientId, input.types);
    ctx.body = { redirect: await resultUrl(ctx, provider(), { consent: { grantId }, passport: { types: body.types } }, true) };
  });

  return r;
}
