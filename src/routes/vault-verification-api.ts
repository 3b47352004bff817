// The holder's side of verification, beside the vault API: holder keys, submissions to verifiers
// and the credentials verifiers issued (all sealed; the server only lists and stores them).
import Router from "@koa/router";
import { z } from "zod";
import { parseInput } from "../errors.js";
import type { RouteDeps } from "./index.js";
import { requireConfirmedAccount } from "./middleware/session.js";
import { holderKeysBody, submitBody } from "./verifier-schemas.js";

export function vaultVerificationApi(d: RouteDeps): Router {
  const { holderKeys, submissions } = d.container;
  const r = new Router({ prefix: "/api/vault" });
  r.use(["/holder-keys", "/submissions", "/credentials"], requireConfirmedAccount);

  r.get("/holder-keys", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = { holderKeys: await holderKeys.get(ctx.state.account.id) };
  });

  r.put("/holder-keys", async (ctx) => {
    const body = parseInput(holderKeysBody, ctx.request.body, "holder keys");
    ctx.status = 201;
    ctx.body = { holderKeys: await holderKeys.put(ctx.state.account.id, body) };
  });

  r.get("/submissions", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = { submissions: await submissions.listForHolder(ctx.state.account.id) };
  });

  r.post("/submissions", async (ctx) => {
    const body = parseInput(submitBody, ctx.request.body, "submission");
    ctx.status = 201;
    ctx.body = { submission: await submissions.submit(ctx.state.account.id, body) };
  });

  r.post("/submissions/:id/withdraw", async (ctx) => {
    const id = parseInput(z.string().uuid("must be a UUID"), ctx.params.id, "submission id");
    await submissions.withdraw(ctx.state.account.id, id);
    ctx.status = 204;
  });

  r.get("/credentials", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = { credentials: await submissions.credentialsForHolder(ctx.state.account.id) };
  });

  return r;
}
