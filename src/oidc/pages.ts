// The pages oidc-provider itself renders (errors, logout confirmation, logged out), drawn with
// our templates so they look like the rest of Passport.
import type { KoaContextWithOIDC, ErrorOut } from "oidc-provider";
import type { Views } from "../routes/views.js";
import { errorHeading } from "../errors.js";

export class PageRenderer {
  constructor(private readonly views: Views) {}

  error(ctx: KoaContextWithOIDC, out: ErrorOut, _err: Error): void {
    ctx.type = "html";
    const heading = errorHeading(ctx.status, out.error);
    ctx.body = this.views.render("error.njk", {
      title: heading,
      heading,
      error: out.error,
      description: out.error_description,
    });
  }

  logout(ctx: KoaContextWithOIDC, form: string): void {
    // `form` is oidc-provider's own hidden form (with its CSRF secret); it is trusted markup.
    ctx.type = "html";
    ctx.body = this.views.render("logout.njk", {
      title: "Sign out",
      form,
      clientName: ctx.oidc.client?.clientName ?? null,
    });
  }

  loggedOut(ctx: KoaContextWithOIDC): void {
    ctx.type = "html";
    ctx.body = this.views.render("logged-out.njk", {
      title: "Signed out",
      clientName: ctx.oidc.client?.clientName ?? null,
    });
  }
}
