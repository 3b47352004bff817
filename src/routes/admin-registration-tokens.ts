// Initial access tokens for dynamic client registration (/admin/registration-tokens): an admin
// issues one (shown once, POST → redirect → GET through the sealed one-time cookie of
// admin-secret-slot.ts), sees each token's expiry and uses left, and revokes it. RegistrationService decides.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError } from "../errors.js";
import { DEFAULT_EXPIRES_IN, parseExpiresIn } from "../services/registration.js";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";
import { putSecret, takeSecret } from "./admin-secret-slot.js";

const BASE = "/admin/registration-tokens";
const NOTICES: Record<string, string> = { revoked: "The token was revoked: it no longer registers clients." };
const form = z.object({ expires_in: z.string().max(20).catch(""), uses: z.string().max(20).catch("") }).catch({ expires_in: "", uses: "" });

export function adminRegistrationTokenRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: BASE });
  const { registration, box } = d.container;
  r.use(requireAdmin);

  const page = async (ctx: Koa.Context, extra: Record<string, unknown> = {}, status = 200) => {
    const created = typeof ctx.query.created === "string" ? takeSecret(ctx, box, BASE, ctx.query.created) : null;
    render(
      ctx,
      d.views,
      "admin/registration-tokens.njk",
      {
        title: "Registration tokens",
        mainClass: "wide",
        tokens: (await registration.list()).map((t) => ({ ...t, usesLeftText: t.usesLeft === null ? "unlimited" : String(t.usesLeft) })),
        created,
        now: Date.now(),
        registrationEndpoint: `${d.cfg.issuer}/reg`,
        notice: NOTICES[String(ctx.query.done ?? "")],
        values: { expires_in: DEFAULT_EXPIRES_IN, uses: "" },
        ...extra,
      },
      status,
    );
  };

  r.get("/", (ctx) => page(ctx));

  r.post("/", async (ctx) => {
    const values = form.parse(ctx.request.body);
    const errors: Record<string, string> = {};
    let expiresInMs = 0;
    try {
      expiresInMs = parseExpiresIn(values.expires_in || DEFAULT_EXPIRES_IN);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.expires_in = err.fields.expiresIn ?? err.message;
    }
    const uses = values.uses.trim() === "" ? null : Number(values.uses);
    if (uses !== null && !(Number.isInteger(uses) && uses >= 1 && uses <= 1_000_000)) errors.uses = "a whole number from 1 to 1000000, or empty for unlimited";
    if (Object.keys(errors).length) return page(ctx, { errors, values }, 400);
    const t = await registration.issue({ expiresInMs, uses });
    putSecret(ctx, box, BASE, { clientId: t.id, secret: t.token, heading: "New registration token" }, d.cfg.secureCookies);
    ctx.status = 303;
    ctx.redirect(`${BASE}?created=${encodeURIComponent(t.id)}`);
  });

  r.post("/:id/revoke", async (ctx) => {
    await registration.revoke(ctx.params.id!);
    ctx.status = 303;
    ctx.redirect(`${BASE}?done=revoked`);
  });

  return r;
}
