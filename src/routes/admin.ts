// Admin pages: registering and managing relying parties. Plain server-rendered forms (no script);
// every POST carries the CSRF token. ClientService decides; this file parses forms and answers.
import Router from "@koa/router";
import type Koa from "koa";
import { AppError } from "../errors.js";
import type { ClientView } from "../services/clients.js";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";
import {
  type ClientFormValues,
  errorsByField,
  errorSummary,
  formOptions,
  newClientValues,
  parseClientForm,
  submittedValues,
  valuesFromInput,
} from "./admin-form.js";

/** Confirmations after a redirect; the query only picks one of these fixed texts. */
const NOTICES: Record<string, string> = {
  updated: "The client was saved.",
  enabled: "The client is enabled: it can sign people in again.",
  disabled: "The client is disabled: its sign-ins and token requests are refused until you enable it.",
  deleted: "The client was deleted.",
};

interface FormPage {
  client?: ClientView;
  values: ClientFormValues;
  error?: AppError;
}

export function adminRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/admin" });
  const { clients } = d.container;
  const discoveryUrl = `${d.cfg.issuer}/.well-known/openid-configuration`;
  const options = formOptions(d.cfg.subjectTypes, d.cfg.defaultSigningAlg);

  const notice = (ctx: Koa.Context) => NOTICES[String(ctx.query.done ?? "")];

  const renderForm = (ctx: Koa.Context, page: FormPage, status = 200) => {
    const fields = page.error?.fields ?? {};
    render(
      ctx,
      d.views,
      "admin/client-form.njk",
      {
        title: page.client ? `Edit ${page.client.name}` : "Register a client",
        mainClass: "wide",
        client: page.client,
        action: page.client ? `/admin/clients/${encodeURIComponent(page.client.clientId)}` : "/admin/clients",
        values: page.values,
        options,
        errors: errorsByField(fields),
        summary: page.error ? errorSummary(fields, page.error.message) : [],
      },
      status,
    );
  };

  const renderSecret = (ctx: Koa.Context, client: ClientView, secret: string | null, heading: string) => {
    render(ctx, d.views, "admin/secret.njk", { title: heading, heading, mainClass: "wide", client, secret, issuer: d.cfg.issuer, discoveryUrl });
  };

  r.use(requireAdmin);

  r.get("/", async (ctx) => {
    render(ctx, d.views, "admin/clients.njk", { title: "Clients", mainClass: "wide", clients: await clients.list(), notice: notice(ctx), discoveryUrl });
  });

  r.get("/clients/new", (ctx) => renderForm(ctx, { values: newClientValues(d.cfg.subjectTypes[0]!) }));

  r.post("/clients", async (ctx) => {
    try {
      const { client, secret } = await clients.create(parseClientForm(ctx.request.body));
      renderSecret(ctx, client, secret, "Client registered");
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, { values: submittedValues(ctx.request.body), error: err }, 400);
    }
  });

  r.get("/clients/:id", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    render(ctx, d.views, "admin/client.njk", { title: client.name, mainClass: "wide", client, notice: notice(ctx), issuer: d.cfg.issuer, discoveryUrl });
  });

  r.get("/clients/:id/edit", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    renderForm(ctx, { client, values: valuesFromInput(client.input) });
  });

  r.post("/clients/:id", async (ctx) => {
    const current = await clients.get(ctx.params.id!);
    try {
      const { client, secret } = await clients.update(current.clientId, parseClientForm(ctx.request.body));
      // Switching to a secret-based method issues a secret, which must be shown now or never.
      if (secret) return renderSecret(ctx, client, secret, "Client saved: new secret");
      redirect(ctx, client, "updated");
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, { client: current, values: submittedValues(ctx.request.body), error: err }, 400);
    }
  });

  r.post("/clients/:id/rotate-secret", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    const secret = await clients.rotateSecret(client.clientId);
    renderSecret(ctx, client, secret, "New client secret");
  });

  for (const [action, enabled] of [["enable", true], ["disable", false]] as const) {
    r.post(`/clients/:id/${action}`, async (ctx) => {
      const client = await clients.get(ctx.params.id!);
      await clients.setEnabled(client.clientId, enabled);
      redirect(ctx, client, enabled ? "enabled" : "disabled");
    });
  }

  r.get("/clients/:id/delete", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    render(ctx, d.views, "admin/delete.njk", { title: `Delete ${client.name}?`, client });
  });

  r.post("/clients/:id/delete", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    // Deleting is only done from the confirmation page, which sends confirm=yes.
    if ((ctx.request.body as Record<string, unknown> | undefined)?.confirm !== "yes") {
      ctx.status = 303;
      return ctx.redirect(`/admin/clients/${encodeURIComponent(client.clientId)}/delete`);
    }
    await clients.delete(client.clientId);
    ctx.status = 303;
    ctx.redirect("/admin?done=deleted");
  });

  return r;
}

/** Invalid input goes back to the form with its messages; anything else is the error page's business. */
function isFormError(err: unknown): err is AppError {
  return err instanceof AppError && err.status === 400;
}

function redirect(ctx: Koa.Context, client: ClientView, done: string): void {
  ctx.status = 303;
  ctx.redirect(`/admin/clients/${encodeURIComponent(client.clientId)}?done=${done}`);
}
