// A fresh client secret is shown once, after a redirect (POST → redirect → GET), so reloading the
// page neither shows it again nor repeats the registration. The POST seals {clientId, secret} with
// the server's SecretBox into a short-lived httpOnly cookie limited to the page's path; the GET
// opens it, clears it and shows the secret. Cookies work across server processes, unlike a slot in
// one process's memory, and the sealed value is unreadable in the browser's cookie store.
import type Koa from "koa";
import type { SecretBox } from "../services/secret-box.js";

const COOKIE = "passport.new-secret";
const TTL_MS = 10 * 60_000;

export interface SecretSlot {
  clientId: string;
  secret: string | null;
  heading: string;
}

export function putSecret(ctx: Koa.Context, box: SecretBox, base: string, slot: SecretSlot, secure: boolean): void {
  const value = box.seal(JSON.stringify({ ...slot, until: Date.now() + TTL_MS }));
  ctx.cookies.set(COOKIE, Buffer.from(value).toString("base64url"), { httpOnly: true, sameSite: "strict", secure, path: base, maxAge: TTL_MS, overwrite: true });
}

/** The secret for this client, once: the cookie is cleared whether or not it matched. */
export function takeSecret(ctx: Koa.Context, box: SecretBox, base: string, clientId: string): SecretSlot | null {
  const raw = ctx.cookies.get(COOKIE);
  if (!raw) return null;
  ctx.cookies.set(COOKIE, null, { path: base });
  try {
    const slot = JSON.parse(box.open(Buffer.from(raw, "base64url").toString())) as SecretSlot & { until: number };
    return slot.clientId === clientId && slot.until > Date.now() ? slot : null;
  } catch {
    return null; // altered, expired key, or from an older format: nothing to show
  }
}
