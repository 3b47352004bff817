/**
 * The one place that reaches for WebCrypto.
 *
 * We use `globalThis.crypto` (present in Node >= 19 and every browser) rather than `node:crypto`
 * so this module bundles unchanged for the browser with esbuild. Looking it up lazily gives a clear
 * error in an environment without WebCrypto (e.g. an insecure http: page, where browsers hide
 * `crypto.subtle`) instead of a TypeError at import time.
 */
import { CryptoError } from "./errors.js";

export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new CryptoError("WebCrypto is not available here (a secure context is required)");
  }
  return s;
}

export function getRandomValues(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const c = globalThis.crypto;
  if (!c?.getRandomValues) {
    throw new CryptoError("WebCrypto is not available here (a secure context is required)");
  }
  return c.getRandomValues(bytes);
}

/** UTF-8 bytes of a string; HKDF infos, AADs and passwords all go through here. */
export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}
