// Maps anything thrown by our routes to an answer: a JSON problem for API calls, an error page for
// pages. Server errors are logged without request bodies and answered without details.
import type Koa from "koa";
import { AppError, errorHeading, toHttp } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { Views } from "../views.js";

export function errorHandler(views: Views, log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      // A client that hangs up mid-body (a dropped upload) is its own doing, not a server error.
      const aborted = clientClosed(ctx);
      const err = aborted ? new AppError("request_aborted", "the request was closed before its body was complete", 400) : thrown;
      if (aborted) log.info("request aborted by the client", { method: ctx.method, path: ctx.path });
      const http = toHttp(err);
      if (http.status >= 500) log.error("request failed", { method: ctx.method, path: ctx.path, error: describe(err) });
      ctx.status = http.status;
      ctx.set(http.headers);
      if (wantsJson(ctx)) {
        ctx.type = "application/problem+json";
        ctx.body = http.body;
      } else {
        ctx.type = "html";
        // The page keeps the visitor's nav and CSRF token (the layout's sign-out form and scripts use them).
        const page = { account: ctx.state.account, csrfToken: ctx.state.csrfToken };
        const heading = errorHeading(http.status, http.body.code);
        ctx.body = views.render("error.njk", { ...page, title: heading, heading, error: http.body.code, description: http.body.detail });
      }
    }
  };
}

/**
 * A browser that asks for an address nobody answers (ours or oidc-provider's) gets the error page
 * (a title, the language, the way home) instead of a bare "Not Found" in plain text.
 */
export function notFoundPage(views: Views): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null || !["GET", "HEAD"].includes(ctx.method) || !ctx.get("accept").includes("text/html")) return;
    ctx.type = "html";
    ctx.body = views.render("error.njk", { title: "Page not found", heading: "Page not found", error: "not_found", description: "There is no page at this address." });
    ctx.status = 404;
  };
}

export function wantsJson(ctx: Koa.Context): boolean {
  // /passport/* answers relying parties' servers, which read JSON whatever they send as Accept.
  return ctx.path.startsWith("/api/") || ctx.path.startsWith("/passport/") || ctx.is("application/json") === "application/json" || ctx.accepts("html", "json") === "json";
}

function clientClosed(ctx: Koa.Context): boolean {
  return ctx.req.destroyed && !ctx.req.complete;
}

function describe(err: unknown): string {
  // Only the error's class and message: stacks and payloads stay out of the log.
  return err instanceof Error ? `${err.name}: ${err.message}` : "non-error thrown";
}
