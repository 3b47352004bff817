// Runs autocannon against one endpoint of one server: loopback only, keep-alive connections,
// bounded by time or by a request count. Throughput counts 2xx answers only; anything else is
// reported so a broken setup cannot pass for a fast one.
import autocannon from "autocannon";

export interface LoadSpec {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** For single-use inputs: a fresh body per request. */
  nextBody?: () => string;
}

export interface LoadResult {
  rps: number;
  p99: number;
  ok: number;
  failed: number;
  seconds: number;
  statuses: Record<string, number>;
}

export type Bound = { seconds: number } | { requests: number };

export function runLoad(base: string, spec: LoadSpec, bound: Bound, connections: number): Promise<LoadResult> {
  const opts: autocannon.Options = {
    url: base + spec.path,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    connections,
    // Samples (and a stop once the request count is reached) every 100 ms rather than every second.
    sampleInt: 100,
    ...("seconds" in bound ? { duration: bound.seconds } : { amount: bound.requests }),
  };
  if (spec.nextBody) {
    const next = spec.nextBody;
    // One request object per connection: a shared one would let connections send the same body.
    opts.setupClient = (client) =>
      client.setRequests([
        { method: spec.method, path: spec.path, headers: spec.headers, setupRequest: (req) => ({ ...req, body: next() }) },
      ]);
  }
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, r) => {
      if (err) return reject(err);
      const seconds = (r.finish.getTime() - r.start.getTime()) / 1000;
      const statuses: Record<string, number> = {};
      for (const [code, stat] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
      resolve({
        rps: r["2xx"] / seconds,
        p99: r.latency.p99,
        ok: r["2xx"],
        failed: r.non2xx + r.errors + r.timeouts,
        seconds,
        statuses,
      });
    });
  });
}
