/**
 * Small helpers every part of the credentials library shares: base64url of text and JSON, the
 * SD-JWT hasher (SHA-256 through WebCrypto, async, so the same code runs in the browser) and the
 * salt generator. No node:crypto here: src/credentials is bundled for browsers by esbuild.
 */
import { b64uDecode, b64uEncode } from "../crypto/base64url.js";
import { randomBytes } from "../crypto/random.js";
import { subtle, utf8 } from "../crypto/webcrypto.js";

export { b64uDecode, b64uEncode, utf8 };

export const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** JSON of a base64url segment (a JWT header or payload, a disclosure). Throws on anything else. */
export function b64uJson<T = unknown>(segment: string): T {
  return JSON.parse(textOf(b64uDecode(segment))) as T;
}

export async function sha256(data: string | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? utf8(data) : data instanceof Uint8Array ? new Uint8Array(data) : new Uint8Array(data);
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

/** base64url(SHA-256(ASCII(text))): a disclosure's digest and a presentation's sd_hash. */
export async function sha256B64u(text: string): Promise<string> {
  return b64uEncode(await sha256(text));
}

/** The hasher @sd-jwt asks for; only sha-256 is used (and accepted) by Passport. */
export async function hasher(data: string | ArrayBuffer, alg: string): Promise<Uint8Array> {
  if (alg.toLowerCase() !== "sha-256") throw new Error(`unsupported _sd_alg ${alg}`);
  return sha256(data);
}

/** 128-bit random salts, as SD-JWT recommends. */
export function saltGenerator(length = 16): string {
  return b64uEncode(randomBytes(Math.max(16, length)));
}

/** Seconds since the epoch from a Date, milliseconds or seconds (numbers below 1e11 are seconds). */
export function toSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  return now > 1e11 ? Math.floor(now / 1000) : Math.floor(now);
}
