// Discovery and the JWKS are the same bytes for every GET until the provider is rebuilt (its
// configuration and signing keys are fixed at construction, src/oidc/host.ts), yet oidc-provider
// builds the document, serializes it and runs its whole Koa chain for each one. So each time the
// provider is built, it answers these paths once, in memory, and the dispatcher replays the answer
// (src/routes/dispatch.ts): the bytes are oidc-provider's own, only the work per request is gone.
// CORS is redone per request as oidc-provider does it for these routes (the caller's Origin, or *).
import http, { type RequestListener, type ServerResponse } from "node:http";
import { Socket } from "node:net";

/** The provider's paths whose GET answer depends on nothing but its configuration and keys. */
export const STATIC_PATHS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks"];

export interface StaticAnswer {
  body: Buffer;
  contentType: string;
}

/** Runs one GET through the provider's handler without a socket and collects what it answers. */
function answerOnce(handler: RequestListener, issuer: string, path: string): Promise<StaticAnswer | null> {
  // oidc-provider names its endpoints after the request's scheme and Host: asked as the issuer,
  // it names the issuer's, whatever Host header or proxy a later request comes through.
  const url = new URL(issuer);
  const socket = Object.assign(new Socket(), { encrypted: url.protocol === "https:" });
  const req = new http.IncomingMessage(socket);
  req.method = "GET";
  req.url = path;
  req.headers = { host: url.host };
  req.push(null);
  const res = new http.ServerResponse(req);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown) => {
      if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    };
    res.write = ((chunk: unknown) => (collect(chunk), true)) as ServerResponse["write"];
    res.end = ((chunk?: unknown) => {
      collect(typeof chunk === "function" ? undefined : chunk);
      const type = res.getHeader("content-type");
      resolve(res.statusCode === 200 && typeof type === "string" ? { body: Buffer.concat(chunks), contentType: type } : null);
      return res;
    }) as ServerResponse["end"];
    handler(req, res);
  });
}

/** The provider's answers to STATIC_PATHS (a path it does not answer with 200 is left to it). */
export async function prerender(handler: RequestListener, issuer: string): Promise<Map<string, StaticAnswer>> {
  const answers = new Map<string, StaticAnswer>();
  for (const path of STATIC_PATHS) {
    const answer = await answerOnce(handler, issuer, path);
    if (answer) answers.set(path, answer);
  }
  return answers;
}

/** Sends a prerendered answer with the headers oidc-provider's CORS middleware would have set. */
export function replay(answer: StaticAnswer, origin: string | undefined, res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader("vary", "Origin");
  res.setHeader("access-control-allow-origin", origin || "*");
  res.setHeader("content-type", answer.contentType);
  res.setHeader("content-length", answer.body.length);
  res.end(answer.body);
}
