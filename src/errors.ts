// Typed errors raised by services and routes, and their one mapping to HTTP. Services throw
// AppError (or a subclass) with a stable code; `toHttp` decides status and body.
import { z } from "zod";

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Field name → message, for forms and JSON problems. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super("invalid_request", message, 400, fields);
  }
}
export class NotFoundError extends AppError {
  constructor(message = "not found") {
    super("not_found", message, 404);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = "sign in first") {
    super("unauthorized", message, 401);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "you may not do that") {
    super("forbidden", message, 403);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super("conflict", message, 409, fields);
  }
}
export class TooManyAttemptsError extends AppError {
  /** `what` names what was limited, e.g. "Too many sign-ups from this address." */
  constructor(
    readonly retryAfterSeconds: number,
    what = "Too many failed attempts.",
  ) {
    super("too_many_attempts", `${what} Try again in ${formatWait(retryAfterSeconds)}.`, 429);
  }
}

function formatWait(s: number): string {
  if (s < 90) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  return `${m} minutes`;
}

/** Turns a zod failure into a ValidationError that names each field. */
export function fromZod(err: z.ZodError, what = "request"): ValidationError {
  const fields: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.join(".") || "_";
    fields[key] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([k, v]) => (k === "_" ? v : `${k}: ${v}`))
    .join("; ");
  return new ValidationError(`invalid ${what}: ${summary}`, fields);
}

/** Parses with a zod schema, throwing a ValidationError naming the fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZod(r.error, what);
  return r.data;
}

export interface HttpError {
  status: number;
  body: { type: string; title: string; status: number; detail: string; code: string; fields?: Record<string, string> };
  headers: Record<string, string>;
}

/** The one mapping from any thrown value to an HTTP answer. Unknown errors never leak details. */
export function toHttp(err: unknown): HttpError {
  if (err instanceof AppError && err.status < 500) {
    const headers: Record<string, string> = {};
    if (err instanceof TooManyAttemptsError) headers["retry-after"] = String(err.retryAfterSeconds);
    return {
      status: err.status,
      headers,
      body: {
        type: "about:blank",
        title: err.code,
        status: err.status,
        detail: err.message,
        code: err.code,
        ...(Object.keys(err.fields).length ? { fields: err.fields } : {}),
      },
    };
  }
  const httpStatus = (err as { status?: number; expose?: boolean })?.status;
  if (typeof httpStatus === "number" && httpStatus >= 400 && httpStatus < 500) {
    // koa/body-parser errors (413 too large, 415, 400 invalid JSON) carry safe messages.
    const message = (err as Error).message || "bad request";
    return {
      status: httpStatus,
      headers: {},
      body: { type: "about:blank", title: "invalid_request", status: httpStatus, detail: message, code: "invalid_request" },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { type: "about:blank", title: "server_error", status: 500, detail: "something went wrong on our side", code: "server_error" },
  };
}

/** The page's heading says what kind of refusal it is; the description below says what exactly. */
export function errorHeading(status: number, code?: string): string {
  if (code === "csrf") return "This form has expired";
  const byStatus: Record<number, string> = {
    400: "This request could not be completed",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible right now",
    410: "No longer valid",
    413: "Too large",
    429: "Too many attempts",
  };
  return byStatus[status] ?? "Something went wrong";
}
