// Admin pages for verifiers: list, register, edit, disable/enable, members by email. Plain
// server-rendered forms (no script), POST → redirect → GET; a refused form comes back with each
// message beside its field.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError } from "../errors.js";
import type { VerifierView } from "../services/verifiers.js";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";
import { errorsByField } from "./admin-form.js";

const LABELS: Record<string, string> = {
  slug: "Slug",
  name: "Name",
  trustFramework: "Trust framework",
  assuranceLevel: "Assurance level",
  evidenceMethods: "Evidence methods",
  externalIssuer: "External issuer",
  email: "Email",
};

const NOTICES: Record<string, string> = {
  created: "The verifier was registered. A member sets up its keys in the verifier console.",
  updated: "The verifier was saved.",
  disabled: "The verifier is disabled: it takes no new submissions and is not offered to holders.",
  enabled: "The verifier is enabled.",
  "member-added": "The member was added.",
  "member-removed": "The member was removed.",
};

interface FormValues {
  slug: string;
  name: string;
  trustFramework: string;
  assuranceLevel: string;
  evidenceMethods: string;
  externalIssuer: string;
}

const text = (v: unknown) => (typeof v === "string" ? v : "");
const bodyOf = (ctx: Koa.Context) => (ctx.request.body ?? {}) as Record<string, unknown>;

/** The form's fields as typed (to show again), and as the service's input. */
function formValues(b: Record<string, unknown>): FormValues {
  return { slug: text(b.slug).trim(), name: text(b.name), trustFramework: text(b.trustFramework), assuranceLevel: text(b.assuranceLevel), evidenceMethods: text(b.evidenceMethods), externalIssuer: text(b.externalIssuer).trim() };
}
function formInput(v: FormValues): Record<string, unknown> {
  return { ...v, evidenceMethods: v.evidenceMethods.split(/[\s,]+/).filter(Boolean), externalIssuer: v.externalIssuer || null };
}
function valuesOf(v: VerifierView): FormValues {
  return { slug: v.slug, name: v.name, trustFramework: v.trustFramework, assuranceLevel: v.assuranceLevel, evidenceMethods: v.evidenceMethods.join(", "), externalIssuer: v.externalIssuer ?? "" };
}

function summary(fields: Record<string, string>, fallback: string): string[] {
  const entries = Object.entries(fields);
  if (!entries.length) return [fallback];
  return entries.map(([k, m]) => `${LABELS[k.split(".")[0]!] ?? k}: ${m}`);
}

const isFormError = (err: unknown): err is AppError => err instanceof AppError && err.status === 400;

export function adminVerifierRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/admin/verifiers" });
  const { verifiers } = d.container;
  r.use(requireAdmin);

  const frameworks = () => verifiers.rules.trustFrameworks;
  const page = (v: { slug: string }, done: string) => `/admin/verifiers/${encodeURIComponent(v.slug)}?done=${done}`;
  const redirect = (ctx: Koa.Context, to: string) => {
    ctx.status = 303;
    ctx.redirect(to);
  };

  const renderForm = (ctx: Koa.Context, values: FormValues, verifier: VerifierView | null, error?: AppError) => {
    const fields = error?.fields ?? {};
    render(
      ctx,
      d.views,
      "admin/verifier-form.njk",
      {
        title: verifier ? `Edit ${verifier.name}` : "Register a verifier",
        verifier,
        action: verifier ? `/admin/verifiers/${encodeURIComponent(verifier.slug)}` : "/admin/verifiers",
        values,
        frameworks: frameworks(),
        errors: errorsByField(fields),
        summary: error ? summary(fields, error.message) : [],
      },
      error ? 400 : 200,
    );
  };

  const renderDetails = async (ctx: Koa.Context, slug: string, memberError?: AppError, email = "") => {
    const verifier = await verifiers.get(slug);
    render(
      ctx,
      d.views,
      "admin/verifier.njk",
      {
        title: verifier.name,
        verifier,
        members: await verifiers.members(slug),
        notice: NOTICES[String(ctx.query.done ?? "")],
        metadataUrl: `${d.cfg.issuer}/.well-known/jwt-vc-issuer/verifiers/${verifier.slug}`,
        emailError: memberError?.fields.email ?? memberError?.message,
        email,
      },
      memberError ? 400 : 200,
    );
  };

  r.get("/", async (ctx) => {
    render(ctx, d.views, "admin/verifiers.njk", { title: "Verifiers", verifiers: await verifiers.list(), notice: NOTICES[String(ctx.query.done ?? "")] });
  });

  r.get("/new", (ctx) => renderForm(ctx, { slug: "", name: "", trustFramework: frameworks()[0]!, assuranceLevel: "substantial", evidenceMethods: "pipp", externalIssuer: "" }, null));

  r.post("/", async (ctx) => {
    const values = formValues(bodyOf(ctx));
    try {
      const v = await verifiers.create(formInput(values));
      redirect(ctx, page(v, "created"));
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, values, null, err);
    }
  });

  r.get("/:slug", async (ctx) => renderDetails(ctx, ctx.params.slug!));

  r.get("/:slug/edit", async (ctx) => {
    const v = await verifiers.get(ctx.params.slug!);
    renderForm(ctx, valuesOf(v), v);
  });

  r.post("/:slug", async (ctx) => {
    const current = await verifiers.get(ctx.params.slug!);
    const values = { ...formValues(bodyOf(ctx)), slug: current.slug };
    try {
      const v = await verifiers.update(current.slug, formInput(values));
      redirect(ctx, page(v, "updated"));
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, values, current, err);
    }
  });

  for (const [action, status] of [["disable", "disabled"], ["enable", "active"]] as const) {
    r.post(`/:slug/${action}`, async (ctx) => {
      const v = await verifiers.setStatus(ctx.params.slug!, status);
      redirect(ctx, page(v, action === "disable" ? "disabled" : "enabled"));
    });
  }

  r.post("/:slug/members", async (ctx) => {
    const v = await verifiers.get(ctx.params.slug!);
    const email = text(bodyOf(ctx).email).trim();
    try {
      await verifiers.addMember(v.slug, email);
      redirect(ctx, page(v, "member-added"));
    } catch (err) {
      if (!isFormError(err)) throw err;
      await renderDetails(ctx, v.slug, err, email);
    }
  });

  r.post("/:slug/members/:accountId/remove", async (ctx) => {
    const v = await verifiers.get(ctx.params.slug!);
    await verifiers.removeMember(v.slug, z.string().max(64).parse(ctx.params.accountId));
    redirect(ctx, page(v, "member-removed"));
  });

  return r;
}
