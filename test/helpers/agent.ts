// A minimal browser stand-in for HTTP-level tests: a cookie jar, manual redirects, and the CSRF
// token read from pages the way the browser scripts read it.
export interface AgentResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  bytes: Uint8Array;
  json<T = any>(): T;
}

export class Agent {
  private readonly jar = new Map<string, string>();
  csrf = "";

  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  clearCookies(): void {
    this.jar.clear();
  }

  /** Puts a cookie in the jar as if the server had set it (e.g. a forged or stolen value). */
  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  /** `form` as pairs may repeat a name (checkboxes); a `_csrf` given by the caller replaces the page's token. */
  async request(method: string, url: string, opts: { json?: unknown; form?: Record<string, string> | [string, string][]; raw?: Uint8Array; headers?: Record<string, string> } = {}): Promise<AgentResponse> {
    const target = new URL(url, this.base);
    const headers: Record<string, string> = { ...opts.headers };
    if (target.origin === new URL(this.base).origin && this.jar.size) {
      headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (opts.raw) {
      headers["content-type"] ??= "application/octet-stream";
      headers["x-csrf-token"] ??= this.csrf;
      body = new Uint8Array(opts.raw);
    } else if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      headers["x-csrf-token"] ??= this.csrf;
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      const params = new URLSearchParams(Array.isArray(opts.form) ? opts.form : Object.entries(opts.form));
      if (!params.has("_csrf")) params.set("_csrf", this.csrf);
      body = params.toString();
    }
    const res = await fetch(target, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    const m = text.match(/<meta name="csrf-token" content="([^"]*)"/);
    if (m) this.csrf = m[1]!;
    const location = res.headers.get("location");
    return {
      status: res.status,
      headers: res.headers,
      text,
      location: location ? new URL(location, target).toString() : null,
      bytes,
      json: () => JSON.parse(text),
    };
  }

  get(url: string) {
    return this.request("GET", url);
  }

  /** Follows redirects within the server; stops at the first one that leaves it (e.g. to the client). */
  async follow(url: string, max = 15): Promise<AgentResponse & { url: string }> {
    let current = url;
    for (let i = 0; i < max; i++) {
      const res = await this.get(current);
      if (!res.location || res.status < 300 || res.status >= 400) return { ...res, url: current };
      if (new URL(res.location).origin !== new URL(this.base).origin) return { ...res, url: res.location };
      current = res.location;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
