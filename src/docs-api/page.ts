// Turns the OpenAPI description into what views/api-docs.njk shows: operations grouped by tag,
// each with its parameters, body and responses as flat tables of fields (nested fields dotted).
import { marked } from "marked";
import type { OpenApiDocument } from "./document.js";

type Schema = Record<string, any>;

const range = (min: number | undefined, max: number | undefined, unit: string): string =>
  min !== undefined && max !== undefined ? (min === max ? `exactly ${min}${unit}` : `${min} to ${max}${unit}`) : min !== undefined ? `at least ${min}${unit}` : max !== undefined ? `at most ${max}${unit}` : "";

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  notes: string;
}
export interface BodyView {
  mediaType: string;
  rows: FieldRow[];
  ref?: string;
}
export interface OperationView {
  id: string;
  method: string;
  path: string;
  summary: string;
  html: string;
  auth: string;
  params: (FieldRow & { in: string })[];
  body?: BodyView;
  responses: { status: string; html: string; body?: BodyView }[];
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const AUTH: Record<string, string> = {
  session: "session cookie",
  csrf: "CSRF header",
  bearer: "bearer access token",
  clientSecretBasic: "client_secret_basic",
};

export function pageModel(doc: OpenApiDocument): { intro: string; groups: { tag: string; operations: OperationView[] }[]; problemRows: FieldRow[] } {
  const components = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (s: Schema): Schema => (s?.$ref ? (components[String(s.$ref).split("/").pop()!] ?? {}) : s);
  const refName = (s: Schema | undefined) => (s?.$ref ? String(s.$ref).split("/").pop() : undefined);

  const typeOf = (raw: Schema): string => {
    const s = resolve(raw);
    if (raw.$ref) return refName(raw)!;
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
    if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeOf).join(" | ");
    const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
    if (s.type === "array" && s.items) return `array of ${typeOf(s.items)}`;
    return s.format ? `${t} (${s.format})` : t;
  };
  const notesOf = (s: Schema): string => {
    const n: string[] = [];
    if (s.description) n.push(s.description);
    n.push(...[range(s.minLength, s.maxLength, " characters"), range(s.minimum, s.maximum, ""), range(s.minItems, s.maxItems, " items")].filter((x) => x));
    if (s.pattern) n.push(`pattern ${s.pattern}`);
    if (s.default !== undefined) n.push(`default ${JSON.stringify(s.default)}`);
    return n.join("; ");
  };

  /** Properties of an object schema as rows; nested objects and arrays of objects are expanded once per level (refs stay names). */
  const rows = (raw: Schema, prefix = "", depth = 0): FieldRow[] => {
    const s = resolve(raw);
    if ((raw.$ref && depth > 0) || depth > 4) return [];
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const required = new Set<string>(s.required ?? []);
    return Object.entries(props).flatMap(([k, v]) => {
      const name = prefix + k;
      const inner = resolve(v);
      const row: FieldRow = { name, type: typeOf(v), required: required.has(k), notes: notesOf(inner) };
      if (!v.$ref && inner.type === "object") return [row, ...rows(inner, `${name}.`, depth + 1)];
      if (inner.type === "array" && inner.items && !inner.items.$ref && resolve(inner.items).type === "object") return [row, ...rows(inner.items, `${name}[].`, depth + 1)];
      return [row];
    });
  };
  const bodyView = (content: Record<string, { schema?: Schema }> | undefined): BodyView | undefined => {
    const [mediaType, media] = Object.entries(content ?? {})[0] ?? [];
    if (!mediaType) return undefined;
    const schema = media?.schema ?? {};
    return { mediaType, rows: resolve(schema).type === "object" ? rows(schema) : [], ref: refName(schema) };
  };

  const groups = new Map<string, OperationView[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, any>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      const view: OperationView = {
        id: `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-"),
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        html: op.description ? (marked.parseInline(op.description) as string) : "",
        auth: (op.security ?? []).map((req: Record<string, unknown>) => Object.keys(req).map((k) => AUTH[k] ?? k).join(" + ") || "credentials in the body (see above)").join(", or ") || "none",
        params: (op.parameters ?? []).map((p: Schema) => ({ name: p.name, in: p.in, type: typeOf(p.schema ?? {}), required: !!p.required, notes: notesOf({ ...resolve(p.schema ?? {}), description: p.description ?? p.schema?.description }) })),
        body: bodyView(op.requestBody?.content),
        responses: Object.entries(op.responses ?? {}).map(([status, r]: [string, any]) => ({ status, html: marked.parseInline(r.description ?? "") as string, body: bodyView(r.content) })),
      };
      groups.set(tag, [...(groups.get(tag) ?? []), view]);
    }
  }
  return {
    intro: marked.parse(doc.info.description ?? "") as string,
    groups: [...groups].map(([tag, operations]) => ({ tag, operations })),
    problemRows: rows({ $ref: "#/components/schemas/Problem" }),
  };
}
