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
    // A time as a <time> element that the browser shows in the reader's own zone and locale
    // (src/web/common.ts, every page loads it); UTC until the script runs. For text, not attributes.
    this.env.addFilter("date", (ms: number) => (ms ? new nunjucks.runtime.SafeString(`<time datetime="${new Date(ms).toISOString()}" data-local>${utc(ms)}</time>`) : ""));
  }

  render(name: string, data: ViewData = {}): string {
    return this.env.render(name, data);
  }
}
