// One log line per request: method, path (no query string: it may carry codes or hints),
// status and duration. Hooked in at the HTTP layer (src/routes/dispatch.ts), so it sees our
// requests and oidc-provider's alike; below info level it adds nothing to a request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../logger.js";

export function requestLog(log: Logger): ((req: IncomingMessage, res: ServerResponse, path: string) => void) | null {
  if (!log.enabled("info")) return null;
  return (req, res, path) => {
    const start = performance.now();
    // "close" comes after the answer went out, and also when the client left before it did.
    res.once("close", () => log.info("request", { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - start) }));
  };
}
