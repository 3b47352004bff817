// Prometheus metrics (prom-client), one registry per app so that several apps in one process (the
// tests) do not share counters. Requests are labelled by route template ("/api/vault/files/:id",
// "/token"), never by raw path, so ids in paths cannot grow the number of series without bound.
import client from "prom-client";

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

/** Latency buckets in seconds: from a cached discovery document to a slow argon2id sign-in. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface RequestLabels {
  /** The route template, "/static/*" or "(unmatched)". */
  route: string;
  /** Who answered: "oidc" (oidc-provider), "passport" (our routes), "static" or "none". */
  handler: string;
  method: string;
  status: number;
}

export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<"route" | "handler" | "method" | "status">;
  private readonly duration: client.Histogram<"route" | "handler" | "method">;

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: "passport_" });
    this.requests = new client.Counter({
      name: "passport_http_requests_total",
      help: "HTTP requests answered, by route template, handler, method and status code.",
      labelNames: ["route", "handler", "method", "status"],
      registers: [this.registry],
    });
    this.duration = new client.Histogram({
      name: "passport_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer, by route template, handler and method.",
      labelNames: ["route", "handler", "method"],
      buckets: BUCKETS,
      registers: [this.registry],
    });
  }

  observe(l: RequestLabels, seconds: number): void {
    const method = METHODS.has(l.method) ? l.method : "OTHER";
    this.requests.inc({ route: l.route, handler: l.handler, method, status: String(l.status) });
    this.duration.observe({ route: l.route, handler: l.handler, method }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
