// The login and consent steps oidc-provider hands over (interactions.url). Each request is one
// row of a small pipeline: load the interaction, decide the step, answer. The provider only sees
// the result (login: who and when; consent: the grant), never how the holder signed in.
import Router from "@koa/router";
import type Koa from "koa";
import type Provider from "oidc-provider";
import { AppError, ForbiddenError } from "../errors.js";
import { SCOPE_DESCRIPTIONS } from "../oidc/claims.js";
import type { AppSession } from "../services/app-sessions.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { clearSessionCookie, recoveryKeyPage } from "./middleware/session.js";
import { RecoveryKeyUnconfirmedError } from "../services/accounts.js";
import { endProviderSession } from "./provider-session.js";
import { type Details, finish, loadDetails, restart, safeHost, saveGrant } from "./interaction-steps.js";
import { DERIVED_SCOPE, isPassportScope } from "../sharing/scopes.js";
import { hasPassportRequest } from "./interaction-passport.js";


/** Reasons that demand a sign-in newer than the request itself. */
const FRESH_LOGIN_REASONS = new Set(["login_prompt", "max_age", "id_token_hint"]);

const REAUTH_COOKIE = "passport.reauth";

const asksFreshLogin = (details: Details) => ((details.prompt.reasons ?? []) as string[]).some((r) => FRESH_LOGIN_REASONS.has(r));

/**
 * When this interaction first asked for a fresh sign-in, in milliseconds. The interaction's own
 * `iat` has one-second resolution: too coarse to tell a sign-in just before the request from one
 * just after it. Kept in a signed cookie scoped to this interaction's path.
 */
function freshLoginSince(ctx: Koa.Context, uid: string, cfg: RouteDeps["cfg"]): number {
  const mark = ctx.cookies.get(REAUTH_COOKIE, { signed: true }) ?? "";
  const dot = mark.lastIndexOf(".");
  if (dot > 0 && mark.slice(0, dot) === uid) return Number(mark.slice(dot + 1)) || Infinity;
  const now = Date.now();
  ctx.cookies.set(REAUTH_COOKIE, `${uid}.${now}`, {
    signed: true,
    httpOnly: true,
    sameSite: "lax",
    secure: cfg.secureCookies,
    path: `/interaction/${uid}`,
    maxAge: cfg.ttl.interaction * 1000,
    overwrite: true,
  });
  return now;
}

/** A Passport session counts for this request unless the client asked for a sign-in newer than `since`. */
function sessionSatisfies(session: AppSession | null, details: Details, since: number): boolean {
  if (!session) return false;
  const reasons = (details.prompt.reasons ?? []) as string[];
  if (!asksFreshLogin(details)) return true;
  const maxAge = details.params.max_age;
  if (reasons.length === 1 && reasons[0] === "max_age" && typeof maxAge === "number") {
    return session.authTime >= Date.now() - maxAge * 1000;
  }
  return session.authTime > since;
}

export function interactionRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/interaction/:uid" });
  const provider = () => d.host.current;

  r.get("/", async (ctx) => {
    const details = await loadDetails(ctx, provider());
    const client = await provider().Client.find(String(details.params.client_id));
    const session: AppSession | null = ctx.state.session;
    if (details.prompt.name === "login") {
      const since = asksFreshLogin(details) ? freshLoginSince(ctx, details.uid, d.cfg) : 0;
      if (sessionSatisfies(session, details, since)) {
        // No app sign-in before the holder has confirmed the recovery key; then back here.
        if (!ctx.state.account.recoveryKeyConfirmed) return ctx.redirect(recoveryKeyPage(`/interaction/${details.uid}`));
        return finish(ctx, provider(), { login: { accountId: session!.accountId, ts: Math.floor(session!.authTime / 1000) } });
      }
      return render(ctx, d.views, "interaction-login.njk", {
        title: "Sign in",
        script: "signin",
        uid: details.uid,
        next: `/interaction/${details.uid}`,
        clientName: client?.clientName ?? client?.clientId,
        loginHint: typeof details.params.login_hint === "string" ? details.params.login_hint : "",
        reason: session ? "This app asks you to confirm your password." : "",
      });
    }
    if (details.prompt.name === "consent") {
      if (!session || session.accountId !== details.session?.accountId) {
        // Signed out in another tab since the sign-in step: start the sign-in again.
        return restart(ctx, details);
      }
      if (!ctx.state.account.recoveryKeyConfirmed) return ctx.redirect(recoveryKeyPage(`/interaction/${details.uid}`));
      if (hasPassportRequest(details)) {
        return render(ctx, d.views, "consent-passport.njk", {
          title: "Share your documents?",
          script: "consent",
          uid: details.uid,
          clientName: client?.clientName ?? client?.clientId,
          logoUri: client?.logoUri,
          purpose: await d.container.clients.approvedPurpose(String(details.params.client_id)),
          redirectHost: safeHost(String(details.params.redirect_uri)),
          mainClass: "wide",
          // passport:derived alone asks for attested facts, not documents: the heading says so.
          factsOnly: String(details.params.scope ?? "").split(" ").filter(isPassportScope).every((sc) => sc === DERIVED_SCOPE),
        });
      }
      const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      const scopes = (promptDetails.missingOIDCScope ?? []).map((s) => ({ name: s, text: SCOPE_DESCRIPTIONS[s] ?? s }));
      return render(ctx, d.views, "consent.njk", {
        title: "Allow access?",
        uid: details.uid,
        clientName: client?.clientName ?? client?.clientId,
        clientId: client?.clientId,
        logoUri: client?.logoUri,
        redirectHost: safeHost(String(details.params.redirect_uri)),
        scopes,
        claims: (promptDetails.missingOIDCClaims ?? []).filter((c) => !["sub", "sid", "auth_time", "acr", "amr", "iss"].includes(c)),
      });
    }
    throw new AppError("unsupported_prompt", `this server cannot handle the "${details.prompt.name}" step`, 400);
  });

  r.post("/confirm", async (ctx) => {
    const details = await loadDetails(ctx, provider());
    if (details.prompt.name !== "consent") throw new AppError("invalid_request", "there is nothing to consent to in this request", 400);
    const accountId = details.session?.accountId;
    if (!accountId || ctx.state.account?.id !== accountId) throw new ForbiddenError("sign in again to answer this request");
    if (!ctx.state.account.recoveryKeyConfirmed) throw new RecoveryKeyUnconfirmedError();
    if (hasPassportRequest(details)) {
      throw new AppError("invalid_request", "this request asks for documents: they are sealed in your browser on the consent page", 400);
    }
    const grantId = await saveGrant(provider(), details, accountId);
    await finish(ctx, provider(), { consent: { grantId } }, true);
  });

  r.post("/abort", async (ctx) => {
    await loadDetails(ctx, provider());
    await finish(ctx, provider(), { error: "access_denied", error_description: "The holder declined the request." });
  });

  r.post("/switch", async (ctx) => {
    const details = await loadDetails(ctx, provider());
    if (ctx.state.session) await d.container.sessions.destroy(ctx.state.session);
    clearSessionCookie(ctx);
    await endProviderSession(ctx, provider());
    await restart(ctx, details);
  });

  return r;
}
