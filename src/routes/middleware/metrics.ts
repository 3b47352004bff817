// Measures every request for /metrics: its route template (ours from @koa/router, oidc-provider's
// from its own router, both left on ctx._matchedRoute), who answered, status and duration. A
// streamed body (a scan download) counts until its first byte, like the request log.
import type Koa from "koa";
import type { Metrics, RequestLabels } from "../../metrics.js";

/** `handler` names who answers: "passport" on our application, "oidc" inside oidc-provider's. */
export function measureRequests(metrics: Metrics, handler: "passport" | "oidc"): Koa.Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    let status: number | undefined;
    try {
      await next();
    } catch (err) {
      status = (err as { status?: number }).status ?? 500;
      throw err;
    } finally {
      metrics.observe(labels(ctx, handler, status ?? ctx.status), (performance.now() - start) / 1000);
    }
  };
}

function labels(ctx: Koa.Context, handler: string, status: number): RequestLabels {
  const base = { method: ctx.method, status };
  if (ctx.path.startsWith("/static/")) return { ...base, route: "/static/*", handler: "static" };
  const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  if (!route) return { ...base, route: "(unmatched)", handler: "none" };
  return { ...base, route: String(route), handler };
}
