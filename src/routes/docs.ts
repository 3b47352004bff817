// Serves the integration guide (docs/integrate.md) as a page, so the manual a developer reads on
// the server is the same file as in the repository.
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Router from "@koa/router";
import { marked } from "marked";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "docs");

export function docsRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/docs" });
  let cached: string | null = null;
  r.get("/integrate", async (ctx) => {
    // Our own file, rendered once; its HTML is trusted like a template.
    cached ??= await marked.parse((await fs.readFile(path.join(DOCS, "integrate.md"), "utf8")).replaceAll("{{ISSUER}}", d.cfg.issuer));
    render(ctx, d.views, "doc.njk", { title: "Integrate Sign in with Passport", mainClass: "wide", html: cached });
  });
  return r;
}
