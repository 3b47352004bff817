// The built-in test page (/playground). Its relying party runs in the visitor's browser
// (src/web/playground.ts): these routes serve the two pages it runs on and register a short-lived
// public client for the browser's public key. Nothing here sees a code, a token or a payload.
import Router from "@koa/router";
import { DOCUMENT_LABELS, isDocumentType, type DocumentType } from "../documents/types.js";
import { PASSPORT_SCOPES, SCOPE_PREFIX } from "../sharing/scopes.js";
import type { RouteDeps } from "./index.js";
import { PLAYGROUND_AUTH } from "./client-quickstart.js";
import { render } from "./render.js";

function scopeChoices() {
  return PASSPORT_SCOPES.map((s) => {
    const k = s.slice(SCOPE_PREFIX.length);
    const label = isDocumentType(k) ? DOCUMENT_LABELS[k as DocumentType] : k === "id_document" ? "Any identity document" : k === "address_document" ? "Any proof of address" : "Derived claims only (no document)";
    return { scope: s, label };
  });
}

export function playgroundRoutes(d: RouteDeps): Router {
  const r = new Router({ prefix: "/playground" });
  const playground = d.container.playground;
  const page = { script: "playground", mainClass: "wide", issuer: d.cfg.issuer, redirectUri: playground.redirectUri };

  r.get("/", (ctx) => {
    // ?client_id=&auth=&scope= prefill "use my own client" (a client's page links here: "Try this
    // client"). Only the form's initial values: nothing is sent or stored before the visitor submits.
    const ownClientId = typeof ctx.query.client_id === "string" ? ctx.query.client_id.slice(0, 255) : "";
    const ownAuth = PLAYGROUND_AUTH.find((a) => a === ctx.query.auth) ?? "client_secret_post";
    const asked = [ctx.query.scope ?? []].flat().map(String);
    const checked = ownClientId ? asked : ["passport:personal_details", "passport:id_document"];
    render(ctx, d.views, "playground.njk", { ...page, title: "Playground", scopes: scopeChoices(), ownClientId, ownAuth, authChoices: PLAYGROUND_AUTH, checked });
  });

  // The browser reads the code (or the error) from the address and finishes the flow itself.
  r.get("/callback", (ctx) => {
    render(ctx, d.views, "playground-result.njk", { ...page, title: "Playground result" });
  });

  // JSON, behind the CSRF check of every POST of ours; limited per address in the service.
  r.post("/clients", async (ctx) => {
    const reg = await playground.register(ctx.request.body, ctx.ip);
    ctx.status = 201;
    ctx.body = { client_id: reg.clientId, expires_at: reg.expiresAt, redirect_uri: reg.redirectUri };
  });

  return r;
}
