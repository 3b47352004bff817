// Checks real answers against the OpenAPI description: finds the operation a request hit, the
// response its status describes, and validates the body with ajv (OpenAPI 3.1 schemas are JSON
// Schema 2020-12). Records which statuses each operation was seen answering.
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { OpenApiDocument } from "../../src/docs-api/document.js";

// ajv-formats is CommonJS: its default export arrives wrapped under tsx.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

const METHODS = ["get", "put", "post", "delete", "patch"];
const DOC_ID = "urn:passport:openapi";

/** `/api/vault/files/{id}` → a regexp matching concrete paths. */
export const templateRegExp = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}$`);

export class ResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly ops: { key: string; method: string; path: string; re: RegExp; op: Record<string, any> }[] = [];
  /** "METHOD /template" → statuses seen. */
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOC_ID, components: doc.components ?? {} });
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of METHODS) {
        const op = (item as Record<string, any>)[method];
        if (op) this.ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, re: templateRegExp(path), op });
      }
    }
  }

  get operations(): string[] {
    return this.ops.map((o) => o.key);
  }

  /** The described operation for a request, if any. */
  find(method: string, pathname: string) {
    return this.ops.find((o) => o.method === method.toUpperCase() && o.re.test(pathname));
  }

  /** Validates one answer; throws with what is wrong. Returns false if no operation describes the request. */
  check(method: string, url: string, res: { status: number; headers: Headers; text: string }): boolean {
    const pathname = new URL(url).pathname.replace(/(.)\/$/, "$1");
    const found = this.find(method, pathname);
    if (!found) return false;
    const where = `${found.key} (${method} ${pathname}) answered ${res.status}`;
    const described = found.op.responses?.[String(res.status)];
    assert.ok(described, `${where}, a status its description does not list: ${res.text.slice(0, 300)}`);
    this.seen.set(found.key, (this.seen.get(found.key) ?? new Set()).add(res.status));
    const content = described.content as Record<string, { schema?: unknown }> | undefined;
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
    if (!content) {
      assert.equal(res.text, "", `${where} with a body, but its description has none`);
      return true;
    }
    const media = content[type];
    assert.ok(media, `${where} as ${type || "no content type"}; described: ${Object.keys(content).join(", ")}`);
    if (!type.endsWith("json")) return true;
    // Refs (#/components/...) are resolved against the description, registered under DOC_ID.
    const schema = JSON.parse(JSON.stringify(media.schema ?? {}).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
    const validate = this.ajv.compile(schema);
    const body = JSON.parse(res.text);
    assert.ok(validate(body), `${where}: the body does not match the description: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`);
    return true;
  }

  /** Operations not yet seen answering a success, or an error when errors are described. */
  unexercised(): string[] {
    return this.ops.flatMap((o) => {
      const seen = [...(this.seen.get(o.key) ?? [])];
      const missing: string[] = [];
      if (!seen.some((s) => s < 400)) missing.push(`${o.key}: no success seen`);
      const errors = Object.keys(o.op.responses ?? {}).filter((s) => Number(s) >= 400);
      if (errors.length && !seen.some((s) => s >= 400)) missing.push(`${o.key}: none of its errors (${errors.join(", ")}) seen`);
      return missing;
    });
  }
}
