// Steps shared by the interaction routes (sign-in, consent, Passport sharing): load the
// interaction, record the consent on the grant, hand the result back to oidc-provider.
import type Koa from "koa";
import type Provider from "oidc-provider";
import { AppError } from "../errors.js";

export type Details = Awaited<ReturnType<Provider["interactionDetails"]>>;

export async function loadDetails(ctx: Koa.Context, provider: Provider): Promise<Details> {
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== ctx.params.uid) throw new Error("uid mismatch");
    return details;
  } catch {
    throw new AppError("interaction_expired", "This sign-in request has expired or was already used. Go back to the app and start again.", 400);
  }
}

/** The URL to continue the authorization at, with `result` recorded. */
export function resultUrl(ctx: Koa.Context, provider: Provider, result: Record<string, unknown>, merge = false): Promise<string> {
  return provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
}

export async function finish(ctx: Koa.Context, provider: Provider, result: Record<string, unknown>, merge = false): Promise<void> {
  const url = await resultUrl(ctx, provider, result, merge);
  ctx.status = 303;
  ctx.redirect(url);
}

/** Adds what the request asks for to the holder's grant with this client; returns its id. */
export async function saveGrant(provider: Provider, details: Details, accountId: string): Promise<string> {
  const { Grant } = provider;
  const grant = details.grantId ? await Grant.find(details.grantId) : new Grant({ accountId, clientId: String(details.params.client_id) });
  if (!grant) throw new AppError("interaction_expired", "the grant for this request is gone; start again", 400);
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
  return grant.save();
}

/** Sends the browser back to the authorization endpoint with the original request. */
export async function restart(ctx: Koa.Context, details: Details): Promise<void> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(details.params)) if (typeof v === "string" || typeof v === "number") params.set(k, String(v));
  ctx.status = 303;
  ctx.redirect(`/auth?${params.toString()}`);
}

export function safeHost(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return "";
  }
}
