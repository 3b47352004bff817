// The holder's vault pages: the overview and one edit page per document type. The server renders
// only the shell (groups, labels, form fields); the browser script (src/web/vault.ts) fetches the
// sealed items, opens them with the vault key and fills the page. No document data passes here.
import Router from "@koa/router";
import type Koa from "koa";
import type { RouteDeps } from "./index.js";
import { render } from "./render.js";
import { requireConfirmedAccount } from "./middleware/session.js";
import { NotFoundError } from "../errors.js";
import {
  ADDRESS_DOCUMENTS,
  DOCUMENT_LABELS,
  IDENTITY_DOCUMENTS,
  isDocumentType,
  isIdentityDocument,
  scanRoles,
  type DocumentType,
} from "../documents/index.js";

const GROUPS: { title: string; types: readonly DocumentType[] }[] = [
  { title: "Personal details", types: ["personal_details"] },
  { title: "Identity documents", types: IDENTITY_DOCUMENTS },
  { title: "Address", types: ["address"] },
  { title: "Proofs of address", types: ADDRESS_DOCUMENTS },
  { title: "Contacts", types: ["phone_number", "email"] },
];

/** How each scan role appears on the form; `field` is the key in the document's data. */
const SCAN_SLOTS = {
  front_side: { field: "front_side", label: "Front side", multiple: false },
  reverse_side: { field: "reverse_side", label: "Reverse side", multiple: false },
  selfie: { field: "selfie", label: "Selfie with the document", multiple: false },
  file: { field: "files", label: "Files", multiple: true },
  translation: { field: "translation", label: "Translation pages", multiple: true },
} as const;

/** Pages need a signed-in holder; others are sent to sign in and come back here. */
const signedIn: Koa.Middleware = async (ctx, next) => {
  if (!ctx.state.account) {
    ctx.status = 303;
    return ctx.redirect(`/signin?next=${encodeURIComponent(ctx.path)}`);
  }
  await next();
};

export function vaultPages(d: RouteDeps): Router {
  const r = new Router({ prefix: "/vault" });
  r.use(signedIn, requireConfirmedAccount);

  r.get("/", (ctx) => {
    const groups = GROUPS.map((g) => ({ title: g.title, types: g.types.map((type) => ({ type, label: DOCUMENT_LABELS[type] })) }));
    render(ctx, d.views, "vault/index.njk", { title: "Your vault", script: "vault", mainClass: "wide", groups });
  });

  r.get("/:type", (ctx) => {
    const type = ctx.params.type!;
    if (!isDocumentType(type)) throw new NotFoundError(`there is no document type "${type}"`);
    const label = DOCUMENT_LABELS[type];
    render(ctx, d.views, "vault/edit.njk", {
      title: label,
      script: "vault",
      mainClass: "vault-edit",
      type,
      label,
      identity: isIdentityDocument(type),
      slots: scanRoles(type).map((role) => ({ role, ...SCAN_SLOTS[role] })),
    });
  });

  return r;
}
