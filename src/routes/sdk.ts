// The relying-party SDK, served by every Passport server from what the build made of src/sdk
// (scripts/build-sdk.mjs): an npm package (`npm install <issuer>/sdk/passport-sdk.tgz`) and one ES
// module for browsers (`import … from "<issuer>/sdk/passport-sdk.js"`). Both may be loaded from
// any origin: a relying party's page imports the module cross-origin, which needs CORS.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Router from "@koa/router";
import { NotFoundError } from "../errors.js";
import type { RouteDeps } from "./index.js";

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "sdk");

const FILES: Record<string, string> = {
  "passport-sdk.tgz": "application/gzip",
  "passport-sdk.js": "text/javascript; charset=utf-8",
};

export function sdkRoutes(_d: RouteDeps, dir = DIST): Router {
  const r = new Router({ prefix: "/sdk" });

  r.get("/:file", async (ctx) => {
    const name = ctx.params.file!;
    const type = FILES[name];
    if (!type) throw new NotFoundError(`no file ${name}: the SDK is at /sdk/passport-sdk.tgz (npm) and /sdk/passport-sdk.js (browsers)`);
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    // Only when the server runs without `npm run build` (which `npm start` runs first).
    if (!stat) throw new NotFoundError(`${name} was not built on this server: run npm run build`);
    ctx.set("access-control-allow-origin", "*");
    ctx.set("cross-origin-resource-policy", "cross-origin");
    // A new server version may bring a new SDK: cached briefly, revalidated by its time.
    ctx.set("cache-control", "public, max-age=300");
    ctx.lastModified = stat.mtime;
    ctx.type = type;
    ctx.length = stat.size;
    ctx.body = fs.createReadStream(file);
  });

  return r;
}
