// The vault API: sealed envelopes in and out, for the signed-in holder only. Uploads stream the
// request body straight into the blob store (bounded memory); downloads stream it back.
import Router from "@koa/router";
import { z } from "zod";
import { parseInput, ValidationError } from "../errors.js";
import type { RouteDeps } from "./index.js";
import { requireConfirmedAccount } from "./middleware/session.js";
import { publicEcJwk } from "../services/public-jwk.js";

export const uuid = z.string().uuid("must be a UUID");
/** `v1.<iv>.<wrapped 32-byte key + tag>`, as src/crypto/envelope.ts writes it. */
export const wrappedItemKey = z.string().max(200).regex(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/, "is not a wrapped key");
export const saveItemBody = z.object({
  id: uuid,
  version: z.number().int().min(0).max(2 ** 31 - 2),
  ciphertext: z.string().min(40, "is too short").max(2_000_000).regex(/^[A-Za-z0-9_-]+$/, "must be base64url"),
  wrappedKey: wrappedItemKey,
  fileIds: z.array(uuid).max(200).default([]),
  /** The email item's credential (an SD-JWT VC Passport issued), which makes it "verified". */
  attestation: z.string().max(8000).optional(),
});
export const emailBody = z.object({ email: z.string().trim().max(320).email("enter a valid email address") });
export const codeBody = emailBody.extend({
  code: z.string().trim().regex(/^\d{6}$/, "the code has 6 digits"),
  holderJwk: publicEcJwk.describe("the holder's public signing key (the credential's cnf): the account's registered one"),
});
export const uploadQuery = z.object({ id: uuid });
export const deleteQuery = z.object({ version: z.coerce.number().int().min(1) });

export function vaultApi(d: RouteDeps): Router {
  const { vault } = d.container;
  const r = new Router({ prefix: "/api/vault" });
  r.use(requireConfirmedAccount);

  r.get("/", async (ctx) => {
    ctx.set("cache-control", "no-store");
    ctx.body = await vault.overview(ctx.state.account.id);
  });

  r.put("/items/:type", async (ctx) => {
    const body = parseInput(saveItemBody, ctx.request.body, "document");
    ctx.body = await vault.saveItem(ctx.state.account.id, ctx.params.type!, body);
  });

  r.delete("/items/:type", async (ctx) => {
    const { version } = parseInput(deleteQuery, ctx.query, "request");
    await vault.deleteItem(ctx.state.account.id, ctx.params.type!, version);
    ctx.status = 204;
  });

  r.post("/files", async (ctx) => {
    const { id } = parseInput(uploadQuery, ctx.query, "upload");
    const wrapped = parseInput(z.object({ "x-wrapped-key": wrappedItemKey }), ctx.headers, "upload")["x-wrapped-key"];
    if (!ctx.is("application/octet-stream")) throw new ValidationError("send the sealed file as application/octet-stream", { body: "wrong content type" });
    // The declared length (if any) is what the quota reserves; Node holds the body to it (and has
    // refused a malformed one). Number(), not ctx.request.length, which wraps past 2^31.
    const length = ctx.get("content-length");
    const declared = length ? Number(length) : undefined;
    ctx.status = 201;
    ctx.body = await vault.upload(ctx.state.account.id, { id, wrappedKey: wrapped }, ctx.req, declared);
  });

  r.get("/files/:id", async (ctx) => {
    const id = parseInput(uuid, ctx.params.id, "file id");
    const { stream, file } = await vault.download(ctx.state.account.id, id);
    ctx.set("cache-control", "no-store");
    ctx.set("x-content-sha256", file.sha256);
    ctx.type = "application/octet-stream";
    ctx.length = file.size;
    ctx.body = stream;
  });

  r.delete("/files/:id", async (ctx) => {
    const id = parseInput(uuid, ctx.params.id, "file id");
    await vault.deleteFile(ctx.state.account.id, id);
    ctx.status = 204;
  });

  r.post("/email/send", async (ctx) => {
    const { email } = parseInput(emailBody, ctx.request.body, "request");
    await d.container.emailVerification.sendCode(ctx.state.account.id, email, ctx.ip);
    ctx.status = 202;
    ctx.body = { sent: true };
  });

  r.post("/email/verify", async (ctx) => {
    const { email, code, holderJwk } = parseInput(codeBody, ctx.request.body, "request");
    // The credential goes to the browser only (it seals it into the email item); nothing keeps it here.
    ctx.set("cache-control", "no-store");
    ctx.body = { attestation: await d.container.emailVerification.verify(ctx.state.account.id, email, code, holderJwk) };
  });

  return r;
}
