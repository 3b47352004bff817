// The one way Passport fetches a client's jwks_uri: for its own client authentication
// (client-auth.ts) and, through the `fetch` hook, for oidc-provider's. Every resolved address is
// checked before connecting (and the connection pinned to it, so a second DNS answer cannot swap
// it), redirects are not followed, the body is cut off at MAX_BYTES while it streams, the whole
// fetch is bounded in time, and results (failures too) are cached, so a burst of requests naming a
// client costs one outbound request.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { JWK } from "jose";
import { forbiddenAddress, forbiddenHost } from "./outbound-address.js";

export const JWKS_MAX_BYTES = 64 * 1024;
export const JWKS_TIMEOUT_MS = 5000;
/** Keys are kept for the response's max-age within these bounds, 5 minutes when it gives none. */
const MIN_TTL_MS = 60_000;
const MAX_TTL_MS = 3_600_000;
const DEFAULT_TTL_MS = 300_000;
/** A failed fetch is remembered this long, so failures cannot be used to make the server knock. */
const FAILURE_TTL_MS = 60_000;
const MAX_ENTRIES = 1000;

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface JwksFetchOptions {
  /** Development only (ALLOW_PRIVATE_JWKS_URI): allow loopback and private addresses. */
  allowPrivate: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  resolve?: Resolver;
}

export class JwksFetchError extends Error {}

interface Entry {
  until: number;
  result: Promise<{ keys: JWK[] }>;
}

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export class JwksFetcher {
  private readonly cache = new Map<string, Entry>();
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly resolve: Resolver;

  constructor(private readonly opts: JwksFetchOptions) {
    this.timeoutMs = opts.timeoutMs ?? JWKS_TIMEOUT_MS;
    this.maxBytes = opts.maxBytes ?? JWKS_MAX_BYTES;
    this.resolve = opts.resolve ?? systemResolver;
  }

  /** The key set at `uri`, from the cache when fresh; concurrent callers share one fetch. */
  get(uri: string): Promise<{ keys: JWK[] }> {
    const now = Date.now();
    const hit = this.cache.get(uri);
    if (hit && hit.until > now) return hit.result;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // Until it settles the entry is "fresh", so parallel requests wait for the same fetch.
    const entry: Entry = { until: Infinity, result: Promise.resolve({ keys: [] }) };
    entry.result = this.fetch(uri).then(
      ({ jwks, ttlMs }) => {
        entry.until = Date.now() + ttlMs;
        return jwks;
      },
      (err: Error) => {
        entry.until = Date.now() + FAILURE_TTL_MS;
        throw err instanceof JwksFetchError ? err : new JwksFetchError(err.message);
      },
    );
    this.cache.set(uri, entry);
    return entry.result;
  }

  /** Remaining freshness of a cached key set, in seconds (for oidc-provider's own cache). */
  private maxAge(uri: string): number {
    const hit = this.cache.get(uri);
    return hit && Number.isFinite(hit.until) ? Math.max(0, Math.floor((hit.until - Date.now()) / 1000)) : 0;
  }

  /**
   * oidc-provider's `fetch` configuration: the only outbound request it makes for Passport is a
   * client's jwks_uri (no sector identifiers, no back-channel notifications are enabled).
   */
  readonly providerFetch = async (url: string | URL, init?: { method?: string }): Promise<Response> => {
    if (init?.method && init.method !== "GET") throw new JwksFetchError(`outbound ${init.method} requests are not allowed`);
    const href = String(url);
    const jwks = await this.get(href);
    return new Response(JSON.stringify(jwks), { status: 200, headers: { "content-type": "application/json", "cache-control": `max-age=${this.maxAge(href)}` } });
  };

  private async fetch(uri: string): Promise<{ jwks: { keys: JWK[] }; ttlMs: number }> {
    const url = new URL(uri);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new JwksFetchError("jwks_uri must be an https URL");
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const target = await this.address(url, deadline);
    const { body, maxAge } = await this.download(url, target, deadline);
    let jwks: unknown;
    try {
      jwks = JSON.parse(body.toString("utf8"));
    } catch {
      throw new JwksFetchError("jwks_uri did not answer JSON");
    }
    const keys = (jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || keys.some((k) => !k || typeof k !== "object" || Array.isArray(k))) throw new JwksFetchError("jwks_uri did not answer a JSON Web Key Set");
    const ttlMs = Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, maxAge === undefined ? DEFAULT_TTL_MS : maxAge * 1000));
    return { jwks: { keys: keys as JWK[] }, ttlMs };
  }

  /** Resolves the host and checks every address it resolves to; returns the one to connect to. */
  private async address(url: URL, deadline: AbortSignal): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!this.opts.allowPrivate) {
      const reason = forbiddenHost(host);
      if (reason) throw new JwksFetchError(reason);
    }
    const family = net.isIP(host);
    const addresses = family ? [{ address: host, family }] : await abortable(this.resolve(host), deadline);
    if (addresses.length === 0) throw new JwksFetchError(`${host} does not resolve`);
    if (!this.opts.allowPrivate) {
      for (const a of addresses) {
        const reason = forbiddenAddress(a.address);
        if (reason) throw new JwksFetchError(`${host} resolves to ${reason}`);
      }
    }
    return addresses[0]!;
  }

  private download(url: URL, target: { address: string; family: number }, deadline: AbortSignal): Promise<{ body: Buffer; maxAge?: number }> {
    const client = url.protocol === "https:" ? https : http;
    // Connect to the address that was checked, whatever the resolver would answer now.
    const lookup = (_host: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      o?.all ? cb(null, [target]) : cb(null, target.address, target.family);
    return new Promise((resolve, reject) => {
      const fail = (message: string) => {
        req.destroy();
        reject(new JwksFetchError(message));
      };
      const req = client.request(url, { method: "GET", agent: false, lookup: lookup as never, signal: deadline, headers: { accept: "application/json", "user-agent": "Passport" } }, (res) => {
        if (res.statusCode !== 200) return fail(`jwks_uri answered ${res.statusCode} (redirects are not followed)`);
        if (Number(res.headers["content-length"] ?? 0) > this.maxBytes) return fail(`jwks_uri answer exceeds ${this.maxBytes} bytes`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) return fail(`jwks_uri answer exceeds ${this.maxBytes} bytes`);
          chunks.push(chunk);
        });
        res.on("end", () => {
          const maxAge = /max-age=(\d+)/.exec(String(res.headers["cache-control"] ?? ""))?.[1];
          resolve({ body: Buffer.concat(chunks), maxAge: maxAge === undefined ? undefined : Number(maxAge) });
        });
        res.on("error", () => fail("jwks_uri answer was cut off"));
      });
      req.on("error", (err) => reject(new JwksFetchError(deadline.aborted ? `jwks_uri did not answer within ${this.timeoutMs} ms` : `jwks_uri could not be fetched: ${err.message}`)));
      req.end();
    });
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new JwksFetchError("jwks_uri host did not resolve in time"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, (err: Error) => reject(new JwksFetchError(`jwks_uri host does not resolve: ${err.message}`))).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
