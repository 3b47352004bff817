// How a Token Status List is served, for verifiers' lists and Passport's own: public, cacheable
// for a minute, with a validator so that relying parties re-check it cheaply.
import type Koa from "koa";

export function sendStatusList(ctx: Koa.Context, list: { token: string; version: number; updatedAt: number }): void {
  ctx.set("access-control-allow-origin", "*");
  // A revocation must show soon: relying parties may keep the list a minute, and revalidate.
  ctx.set("cache-control", "public, max-age=60, must-revalidate");
  const etag = `"${list.version}"`;
  ctx.set("etag", etag);
  ctx.set("last-modified", new Date(list.updatedAt).toUTCString());
  if (ctx.get("if-none-match").split(/\s*,\s*/).includes(etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = "application/statuslist+jwt";
  ctx.body = list.token;
}
