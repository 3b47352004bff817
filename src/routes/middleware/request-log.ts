// One log line per request: method, path (no query string: it may carry codes or hints),
// status and duration.
import type Koa from "koa";
import type { Logger } from "../../logger.js";

export function requestLog(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      log.info("request", { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - start) });
    }
  };
}
