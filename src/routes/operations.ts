// Endpoints for operators' tools, answered before anything else (no session, no request log line
// for every probe): GET /healthz for load balancers, GET /metrics for Prometheus.
//
// /metrics exists only when METRICS_TOKEN is set, and then wants `Authorization: Bearer <token>`
// (Prometheus: `authorization: { credentials: ... }`). Keycloak and Logto keep metrics off the
// public port; Passport has one port, so the token is what keeps route names, error rates and
// process details from the whole internet. See docs/deploy.md.
import crypto from "node:crypto";
import type Koa from "koa";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { HealthService } from "../services/health.js";

export interface OperationsDeps {
  health: HealthService;
  /** Null when METRICS_TOKEN is unset: /metrics does not exist. */
  metrics: Metrics | null;
  metricsToken: string;
  log: Logger;
}

export function operationsEndpoints(d: OperationsDeps): Koa.Middleware {
  const expected = crypto.createHash("sha256").update(`Bearer ${d.metricsToken}`).digest();
  const authorized = (header: string | undefined) => crypto.timingSafeEqual(crypto.createHash("sha256").update(header ?? "").digest(), expected);
  return async (ctx, next) => {
    if (ctx.path === "/healthz" && (ctx.method === "GET" || ctx.method === "HEAD")) {
      const h = await d.health.check();
      if (h.error) d.log.warn("health check failed", { database: h.error });
      ctx.set("cache-control", "no-store");
      ctx.status = h.status === "ok" ? 200 : 503;
      ctx.body = { status: h.status, checks: h.checks };
      return;
    }
    if (ctx.path === "/metrics" && d.metrics && ctx.method === "GET") {
      ctx.set("cache-control", "no-store");
      if (!authorized(ctx.get("authorization") || undefined)) {
        ctx.set("www-authenticate", 'Bearer realm="metrics"');
        ctx.status = 401;
        ctx.type = "application/problem+json";
        ctx.body = { type: "about:blank", title: "unauthorized", status: 401, detail: "send the METRICS_TOKEN as a bearer token", code: "unauthorized" };
        return;
      }
      ctx.type = d.metrics.contentType;
      ctx.body = await d.metrics.render();
      return;
    }
    await next();
  };
}
