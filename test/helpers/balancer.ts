// A load balancer for multi-process tests: one loopback port (the issuer every process is
// configured with) in front of several Passport processes, where the test says which process takes
// the next request. Requests and answers are streamed through untouched, Host header included.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Balancer {
  url: string;
  /** Sends every following request to `backend` (a base URL such as http://127.0.0.1:4001). */
  to(backend: string): void;
  /** Requests forwarded so far, per backend. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startBalancer(port: number, first: string): Promise<Balancer> {
  let target = first;
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const backend = new URL(target);
    counts.set(target, (counts.get(target) ?? 0) + 1);
    const upstream = http.request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    // A backend that dies mid-request: the client sees its connection cut, as behind a real balancer.
    upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end("backend gone")));
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    to: (backend) => (target = backend),
    counts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
