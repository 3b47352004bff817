// Server-rendered pages: nunjucks with auto-escaping, templates in views/.
import path from "node:path";
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";

const VIEWS = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "views");

const utc = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export type ViewData = Record<string, unknown>;

export class Views {
  private readonly env: nunjucks.Environment;

  constructor(globals: ViewData = {}) {
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS, { noCache: false }), {
      autoescape: true,
      throwOnUndefined: false,
    });
    for (const [k, v] of Object.entries(globals)) this.env.addGlobal(k, v);
    this.env.addFilter("date", (ms: number) => (ms ? utc(ms) : ""));
    // A time the browser shows in the holder's own zone and locale (src/web/common.ts); UTC until then.
    this.env.addFilter("localtime", (ms: number) => (ms ? new nunjucks.runtime.SafeString(`<time datetime="${new Date(ms).toISOString()}" data-local>${utc(ms)}</time>`) : ""));
  }

  render(name: string, data: ViewData = {}): string {
    return this.env.render(name, data);
  }
}
