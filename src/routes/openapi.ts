// The OpenAPI description of our JSON API (src/docs-api): raw at /docs/api/openapi.json and as a
// server-rendered page at /docs/api (no outside script: the CSP allows none).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Router from "@koa/router";
import { buildOpenApi, type OpenApiDocument } from "../docs-api/document.js";
import { pageModel } from "../docs-api/page.js";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";

const PACKAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");

export function openapiRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/docs/api" });
  // Built on first use: it depends only on the code and the issuer.
  let doc: OpenApiDocument | null = null;
  const description = () => (doc ??= buildOpenApi(d.cfg.issuer, (JSON.parse(fs.readFileSync(PACKAGE, "utf8")) as { version: string }).version));

  r.get("/", (ctx) => {
    render(ctx, d.views, "api-docs.njk", { title: "API reference", mainClass: "wide", ...pageModel(description()) });
  });

  r.get("/openapi.json", (ctx) => {
    ctx.set("access-control-allow-origin", "*");
    ctx.body = description();
  });
  return r;
}
