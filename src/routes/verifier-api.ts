// The verifier API: the public list holders choose from, and the console calls of a verifier's
// members (403 for anyone else). Everything sealed passes through sealed; the member's browser (or
// the CLI agent) opens it with the verifier's key, which the server never has.
import Router from "@koa/router";
import type Koa from "koa";
import { parseInput } from "../errors.js";
import type { RouteDeps } from "./index.js";
import { requireConfirmedAccount } from "./middleware/session.js";
import { approveBody, idParams, keySetupBody, memberKeysBody, rejectBody, revokeBody, slugParam, stateQuery } from "./verifier-schemas.js";

const slugOf = (ctx: Koa.Context) => parseInput(slugParam, ctx.params.slug, "verifier");
const idOf = (ctx: Koa.Context, name = "id") => parseInput(idParams.uuid, ctx.params[name], name);

export function verifierApi(d: RouteDeps): Router {
  const { verifiers, submissions } = d.container;
  const r = new Router({ prefix: "/api/verifiers" });
  const me = (ctx: Koa.Context) => ctx.state.account.id as string;

  // Public: which verifiers a holder may submit to (active, with keys).
  r.get("/", async (ctx) => {
    ctx.set("cache-control", "no-cache");
    ctx.body = { verifiers: await verifiers.publicList() };
  });

  r.use("/:slug", requireConfirmedAccount);

  r.get("/:slug/console", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = await verifiers.console(slugOf(ctx), me(ctx));
  });

  r.post("/:slug/keys", async (ctx) => {
    const body = parseInput(keySetupBody, ctx.request.body, "keys");
    ctx.status = 201;
    ctx.body = { verifier: await verifiers.setupKeys(slugOf(ctx), me(ctx), body) };
  });

  r.post("/:slug/members/:accountId/keys", async (ctx) => {
    const { sealedKeys } = parseInput(memberKeysBody, ctx.request.body, "keys");
    const memberId = parseInput(idParams.uuid, ctx.params.accountId, "account id");
    await verifiers.shareKeys(slugOf(ctx), me(ctx), memberId, sealedKeys);
    ctx.status = 204;
  });

  r.get("/:slug/submissions", async (ctx) => {
    const { state } = parseInput(stateQuery, ctx.query, "query");
    ctx.set("cache-control", "no-store");
    ctx.body = { submissions: await submissions.queue(slugOf(ctx), me(ctx), state) };
  });

  r.get("/:slug/submissions/:id", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = await submissions.detail(slugOf(ctx), me(ctx), idOf(ctx));
  });

  r.get("/:slug/submissions/:id/files/:fileId", async (ctx) => {
    const { stream, file } = await submissions.file(slugOf(ctx), me(ctx), idOf(ctx), idOf(ctx, "fileId"));
    ctx.set("cache-control", "no-store");
    ctx.set("x-content-sha256", file.sha256);
    ctx.type = "application/octet-stream";
    ctx.length = file.size;
    ctx.body = stream;
  });

  r.post("/:slug/submissions/:id/reserve", async (ctx) => {
    ctx.body = await submissions.reserve(slugOf(ctx), me(ctx), idOf(ctx));
  });

  r.post("/:slug/submissions/:id/approve", async (ctx) => {
    const { credentials } = parseInput(approveBody, ctx.request.body, "approval");
    await submissions.approve(slugOf(ctx), me(ctx), idOf(ctx), credentials);
    ctx.status = 204;
  });

  r.post("/:slug/submissions/:id/reject", async (ctx) => {
    const { reasons } = parseInput(rejectBody, ctx.request.body, "rejection");
    await submissions.reject(slugOf(ctx), me(ctx), idOf(ctx), reasons);
    ctx.status = 204;
  });

  r.get("/:slug/status/:listId", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = await submissions.statusForMember(slugOf(ctx), me(ctx), idOf(ctx, "listId"));
  });

  r.post("/:slug/credentials/:id/revoke", async (ctx) => {
    const { token, version } = parseInput(revokeBody, ctx.request.body, "revocation");
    await submissions.revoke(slugOf(ctx), me(ctx), idOf(ctx), token, version);
    ctx.status = 204;
  });

  return r;
}
