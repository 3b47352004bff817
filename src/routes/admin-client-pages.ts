// The client pages shared by the admin page (/admin, every client) and the developer console
// (/developers, the clients one owns): the registration form, details, edit, secret rotation (with
// a confirmation), disable/enable and delete (with a confirmation). What differs is passed in: the
// base path, how a client is found for this visitor (a client they may not manage is a 404) and
// how one is created. The same templates serve both, parametrised by `base`.
import type Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { AppError } from "../errors.js";
import { SEARCH_MAX } from "../services/client-search.js";
import type { ClientActor } from "../services/client-activity.js";
import type { ClientView } from "../services/clients.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { errorsByField, errorSummary, formOptions, newClientValues, parseClientForm, submittedValues, valuesFromInput, type ClientFormValues } from "./admin-form.js";
import { putSecret, takeSecret } from "./admin-secret-slot.js";
import { quickStarts, quickStartValues, tryLink } from "./client-quickstart.js";

/** Confirmations after a redirect; the query only picks one of these fixed texts. */
const NOTICES: Record<string, string> = {
  updated: "The client was saved.",
  enabled: "The client is enabled: it can sign people in again.",
  disabled: "The client is disabled: its sign-ins and token requests are refused until you enable it.",
  deleted: "The client was deleted.",
  "owner-added": "The co-owner was added.",
  "owner-removed": "The co-owner was removed.",
};
export const noticeOf = (ctx: Koa.Context) => NOTICES[String(ctx.query.done ?? "")];

/** The list pages' ?q= (a GET, so a search is a link and survives a reload); anything odd is no search. */
export const searchQuery = (v: unknown) => z.string().catch("").parse(Array.isArray(v) ? v[0] : v).trim().slice(0, SEARCH_MAX);

/** What every client details page shows besides the client: issuer, quick starts, the try link. */
export function clientPageData(d: RouteDeps, client: ClientView): Record<string, unknown> {
  const playground = d.container.playground.redirectUri;
  return {
    title: client.name,
    mainClass: "wide",
    script: "console",
    client,
    issuer: d.cfg.issuer,
    discoveryUrl: `${d.cfg.issuer}/.well-known/openid-configuration`,
    snippets: quickStarts(quickStartValues(d.cfg.issuer, playground, client)),
    tryClient: tryLink(client, playground),
    playgroundRedirect: playground,
  };
}

export interface ClientPagesOptions {
  base: "/admin" | "/developers";
  /** The client if this visitor may manage it; NotFoundError (404) otherwise, existing or not. */
  find(ctx: Koa.Context, clientId: string): Promise<ClientView>;
  create(ctx: Koa.Context, input: Record<string, unknown>, body: Record<string, unknown>): Promise<{ client: ClientView; secret: string | null }>;
  /** Extra data for the details page (owners, activity) and the form (purpose field). */
  details?(ctx: Koa.Context, client: ClientView): Promise<Record<string, unknown>>;
  formExtras?(ctx: Koa.Context): Record<string, unknown>;
  /** Who acts, for the client's change log. */
  actor(ctx: Koa.Context): ClientActor;
  /** The console's policy: an edit adding Passport scopes waits for an admin again. */
  requireApproval?: boolean;
}

interface FormPage {
  client?: ClientView;
  values: ClientFormValues & { purpose?: string };
  error?: AppError;
}

const bodyOf = (ctx: Koa.Context) => (ctx.request.body ?? {}) as Record<string, unknown>;

export function mountClientPages(r: Router, d: RouteDeps, o: ClientPagesOptions): void {
  const { clients, box } = d.container;
  const { base } = o;
  const discoveryUrl = `${d.cfg.issuer}/.well-known/openid-configuration`;
  const options = formOptions(d.cfg.subjectTypes, d.cfg.defaultSigningAlg);
  const clientUrl = (c: ClientView) => `${base}/clients/${encodeURIComponent(c.clientId)}`;

  const renderForm = (ctx: Koa.Context, page: FormPage, status = 200) => {
    const fields = page.error?.fields ?? {};
    render(
      ctx,
      d.views,
      "admin/client-form.njk",
      {
        title: page.client ? `Edit ${page.client.name}` : "Register a client",
        mainClass: "wide",
        base,
        client: page.client,
        action: page.client ? clientUrl(page.client) : `${base}/clients`,
        values: page.values,
        options,
        errors: errorsByField(fields),
        summary: page.error ? errorSummary(fields, page.error.message) : [],
        ...o.formExtras?.(ctx),
      },
      status,
    );
  };

  /** POST → redirect → GET: the secret goes into a one-time sealed cookie, shown by the GET below. */
  const showSecretOnce = (ctx: Koa.Context, client: ClientView, secret: string | null, heading: string) => {
    putSecret(ctx, box, base, { clientId: client.clientId, secret, heading }, d.cfg.secureCookies);
    ctx.status = 303;
    ctx.redirect(`${clientUrl(client)}/secret`);
  };

  const redirect = (ctx: Koa.Context, client: ClientView, done: string) => {
    ctx.status = 303;
    ctx.redirect(`${clientUrl(client)}?done=${done}`);
  };

  r.get("/clients/new", (ctx) => renderForm(ctx, { values: newClientValues(d.cfg.subjectTypes[0]!) }));

  r.post("/clients", async (ctx) => {
    try {
      const { client, secret } = await o.create(ctx, parseClientForm(bodyOf(ctx)), bodyOf(ctx));
      showSecretOnce(ctx, client, secret, "Client registered");
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, { values: { ...submittedValues(bodyOf(ctx)), purpose: String(bodyOf(ctx).purpose ?? "") }, error: err }, err.status === 409 ? 409 : 400);
    }
  });

  r.get("/clients/:id", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    render(ctx, d.views, "admin/client.njk", { ...clientPageData(d, client), base, notice: noticeOf(ctx), ...(await o.details?.(ctx, client)) });
  });

  r.get("/clients/:id/secret", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    const slot = takeSecret(ctx, box, base, client.clientId);
    const heading = slot?.heading ?? "Client secret";
    render(ctx, d.views, "admin/secret.njk", { title: heading, heading, mainClass: "wide", script: "console", base, client, slot, secret: slot?.secret ?? null, issuer: d.cfg.issuer, discoveryUrl });
  });

  r.get("/clients/:id/edit", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    renderForm(ctx, { client, values: valuesFromInput(client.input) });
  });

  r.post("/clients/:id", async (ctx) => {
    const current = await o.find(ctx, ctx.params.id!);
    try {
      const { client, secret } = await clients.update(current.clientId, parseClientForm(bodyOf(ctx)), { actor: o.actor(ctx), requireApproval: o.requireApproval });
      // Switching to a secret-based method issues a secret, which must be shown now or never.
      if (secret) return showSecretOnce(ctx, client, secret, "Client saved: new secret");
      redirect(ctx, client, "updated");
    } catch (err) {
      if (!isFormError(err)) throw err;
      renderForm(ctx, { client: current, values: submittedValues(bodyOf(ctx)), error: err }, 400);
    }
  });

  r.get("/clients/:id/rotate-secret", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    render(ctx, d.views, "admin/rotate.njk", { title: `New secret for ${client.name}?`, base, client });
  });

  r.post("/clients/:id/rotate-secret", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    // Rotating ends the old secret at once: only the confirmation page sends confirm=yes.
    if (bodyOf(ctx).confirm !== "yes") {
      ctx.status = 303;
      return ctx.redirect(`${clientUrl(client)}/rotate-secret`);
    }
    const secret = await clients.rotateSecret(client.clientId, o.actor(ctx));
    showSecretOnce(ctx, client, secret, "New client secret");
  });

  for (const [action, enabled] of [["enable", true], ["disable", false]] as const) {
    r.post(`/clients/:id/${action}`, async (ctx) => {
      const client = await o.find(ctx, ctx.params.id!);
      await clients.setEnabled(client.clientId, enabled, o.actor(ctx));
      redirect(ctx, client, enabled ? "enabled" : "disabled");
    });
  }

  r.get("/clients/:id/delete", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    render(ctx, d.views, "admin/delete.njk", { title: `Delete ${client.name}?`, base, client });
  });

  r.post("/clients/:id/delete", async (ctx) => {
    const client = await o.find(ctx, ctx.params.id!);
    // Deleting is only done from the confirmation page, which sends confirm=yes.
    if (bodyOf(ctx).confirm !== "yes") {
      ctx.status = 303;
      return ctx.redirect(`${clientUrl(client)}/delete`);
    }
    await clients.delete(client.clientId, o.actor(ctx));
    ctx.status = 303;
    ctx.redirect(`${base}?done=deleted`);
  });
}

/** Invalid input (400) or a reached limit (409) goes back to the form with its messages. */
export function isFormError(err: unknown): err is AppError {
  return err instanceof AppError && (err.status === 400 || err.code === "client_limit");
}
