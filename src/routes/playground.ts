// The built-in test page (/playground): pick scopes and options, "Sign in with Passport", and see
// the raw JWE and what the playground's own relying party decrypted from it.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError, parseInput } from "../errors.js";
import { DOCUMENT_LABELS, IDENTITY_DOCUMENTS, isDocumentType, scanRoles, type DocumentType } from "../documents/types.js";
import { PASSPORT_SCOPES, SCOPE_PREFIX } from "../sharing/scopes.js";
import type { Playground, PlaygroundState } from "../services/playground.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";

const STATE_COOKIE = "passport.playground";
const wantValue = z.enum(["no", "optional", "required"]).default("no");
const startQuery = z.object({
  scope: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).pipe(z.array(z.enum(["email", ...PASSPORT_SCOPES] as [string, ...string[]]))).default([]),
  selfie: wantValue,
  translation: wantValue,
  native_names: wantValue,
  verified_only: z.enum(["on"]).optional(),
});
type StartQuery = z.infer<typeof startQuery>;

const keyOf = (scope: string) => scope.slice(SCOPE_PREFIX.length);
const acceptsSelfie = (k: string) => k === "id_document" || (IDENTITY_DOCUMENTS as readonly string[]).includes(k);
const acceptsTranslation = (k: string) => k === "id_document" || k === "address_document" || (isDocumentType(k) && scanRoles(k).includes("translation"));

/** The claims parameter for the chosen options, only on entries that accept them. */
export function playgroundClaims(q: StartQuery): string | undefined {
  const claims: Record<string, Record<string, unknown>> = {};
  const opt = (w: string) => (w === "required" ? { essential: true } : null);
  for (const scope of q.scope.filter((s) => s.startsWith(SCOPE_PREFIX))) {
    const k = keyOf(scope);
    const entry: Record<string, unknown> = {};
    if (q.selfie !== "no" && acceptsSelfie(k)) entry.selfie = opt(q.selfie);
    if (q.translation !== "no" && acceptsTranslation(k)) entry.translation = opt(q.translation);
    if (q.native_names !== "no" && k === "personal_details") entry.native_names = opt(q.native_names);
    if (Object.keys(entry).length) claims[k] = entry;
  }
  if (!Object.keys(claims).length && !q.verified_only) return undefined;
  return JSON.stringify({ userinfo: { verified_claims: { ...(q.verified_only ? { verification: { trust_framework: null } } : {}), claims } } });
}

function scopeChoices() {
  return PASSPORT_SCOPES.map((s) => {
    const k = keyOf(s);
    const label = isDocumentType(k) ? DOCUMENT_LABELS[k as DocumentType] : k === "id_document" ? "Any identity document" : "Any proof of address";
    return { scope: s, label };
  });
}

export function playgroundRoutes(d: RouteDeps, playground: Playground): Router {
  const r = new Router({ prefix: "/playground" });
  const cookieOpts = { signed: true, httpOnly: true, sameSite: "lax" as const, secure: d.cfg.secureCookies, path: "/playground", maxAge: 15 * 60_000, overwrite: true };

  r.get("/", (ctx) => {
    render(ctx, d.views, "playground.njk", { title: "Playground", script: "button", mainClass: "wide", scopes: scopeChoices(), redirectUri: playground.redirectUri });
  });

  r.get("/start", async (ctx) => {
    const q = parseInput(startQuery, ctx.query, "playground request");
    const scope = ["openid", ...q.scope].join(" ");
    const { url, state } = await playground.start({ scope, claims: playgroundClaims(q) });
    ctx.cookies.set(STATE_COOKIE, JSON.stringify(state), cookieOpts);
    ctx.redirect(url);
  });

  r.get("/callback", async (ctx) => {
    const state = readState(ctx);
    const url = new URL(ctx.originalUrl, d.cfg.issuer);
    ctx.cookies.set(STATE_COOKIE, null, { path: "/playground" });
    if (url.searchParams.has("error")) {
      return render(ctx, d.views, "playground-result.njk", { title: "Playground result", mainClass: "wide", error: `${url.searchParams.get("error")}: ${url.searchParams.get("error_description") ?? ""}` });
    }
    try {
      const result = await playground.finish(url, state);
      render(ctx, d.views, "playground-result.njk", {
        title: "Playground result",
        mainClass: "wide",
        result,
        userinfoJson: JSON.stringify({ ...result.userinfo, ...(result.jwe ? { passport: "(the JWE below)" } : {}) }, null, 2),
        payloadJson: result.payload ? JSON.stringify(redactKeys(result.payload), null, 2) : null,
      });
    } catch (err) {
      render(ctx, d.views, "playground-result.njk", { title: "Playground result", mainClass: "wide", error: `the relying party could not finish: ${(err as Error).message}` }, 400);
    }
  });

  return r;
}

function readState(ctx: Koa.Context): PlaygroundState {
  const raw = ctx.cookies.get(STATE_COOKIE, { signed: true });
  try {
    const st = JSON.parse(raw ?? "") as PlaygroundState;
    if (st.verifier && st.nonce && st.state) return st;
  } catch {
    // fall through
  }
  throw new AppError("playground_state", "This playground result has no matching request (expired or opened twice). Start again from /playground.", 400);
}

/** File keys are shown shortened: the page is for looking, not for copying secrets around. */
function redactKeys(payload: unknown): unknown {
  return JSON.parse(JSON.stringify(payload), (k, v) => (k === "key" && typeof v === "string" ? `${v.slice(0, 6)}…` : v));
}
