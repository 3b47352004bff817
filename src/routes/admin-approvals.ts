// The approval queue (/admin/approvals): clients that asked for Passport scopes under the
// "approval" policy wait here with their requested scopes, stated purpose and owners; an admin
// approves or rejects them (with a reason their developer reads). Also what the per-client page
// shows of a client's activity and change log. ClientService and ClientActivityService decide.
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import type { ClientView } from "../services/clients.js";
import { isPassportScope } from "../sharing/scopes.js";
import { AppError } from "../errors.js";
import { REASON_MAX } from "../services/client-approval.js";
import type { RouteDeps } from "./index.js";
import { requireAdmin } from "./middleware/session.js";
import { render } from "./render.js";

const NOTICES: Record<string, string> = {
  approved: "The client was approved: it may now ask for Passport scopes.",
  rejected: "The client was rejected: its Passport scopes stay refused.",
};
const reasonOf = (body: unknown) => z.string().max(REASON_MAX * 2).catch("").parse((body as Record<string, unknown> | undefined)?.reason);
const adminActor = (ctx: Koa.Context) => ({ accountId: (ctx.state.account as { id: string }).id, via: "admin" as const });

/** Activity (last 14 days) and change log of a client, for its page; account ids become emails. */
export async function activityDetails(d: RouteDeps, client: ClientView): Promise<Record<string, unknown>> {
  return {
    activity: await d.container.clientActivity.activity(client.clientId, 14),
    recent: await d.container.clientActivity.recent(client.clientId),
    changes: await changeLog(d, client.clientId),
    passportScopes: client.input.scopes.filter(isPassportScope),
  };
}

/** A client's change log with account emails instead of ids (admin page and developer console). */
export async function changeLog(d: RouteDeps, clientId: string) {
  const emails = new Map<string, string>();
  const who = async (id: string | null) => {
    if (!id) return "the server";
    if (!emails.has(id)) emails.set(id, (await d.container.accounts.get(id))?.email ?? "a deleted account");
    return emails.get(id)!;
  };
  const changes = await d.container.clientActivity.changes(clientId);
  return Promise.all(changes.map(async (c) => ({ ...c, who: await who(c.actor) })));
}

export function adminApprovalRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/admin" });
  const { clients } = d.container;
  r.use(requireAdmin);

  const queue = async (ctx: Koa.Context, extra: Record<string, unknown> = {}, status = 200) => {
    const pending = await clients.pending();
    // Owners exist only with the developer console (client_owners); without it, none are shown.
    const owners = d.container.developers ? Object.fromEntries(await d.container.developers.ownerEmailsByClient()) : {};
    const items = pending.map((c) => ({ client: c, scopes: c.input.scopes.filter(isPassportScope), owners: owners[c.clientId] ?? [] }));
    render(ctx, d.views, "admin/approvals.njk", { title: "Approval queue", mainClass: "wide", items, notice: NOTICES[String(ctx.query.done ?? "")], ...extra }, status);
  };

  r.get("/approvals", (ctx) => queue(ctx));

  r.post("/approvals/:id/approve", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    await clients.approve(client.clientId, adminActor(ctx));
    ctx.status = 303;
    ctx.redirect("/admin/approvals?done=approved");
  });

  r.post("/approvals/:id/reject", async (ctx) => {
    const client = await clients.get(ctx.params.id!);
    const reason = reasonOf(ctx.request.body);
    try {
      await clients.reject(client.clientId, reason, adminActor(ctx));
    } catch (err) {
      if (!(err instanceof AppError && err.status === 400)) throw err;
      // Back to the queue with the message beside this client's reason field, the text kept.
      return queue(ctx, { errorFor: client.clientId, reasonError: err.message, reason }, 400);
    }
    ctx.status = 303;
    ctx.redirect("/admin/approvals?done=rejected");
  });

  return r;
}
