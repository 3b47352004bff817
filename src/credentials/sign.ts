/**
 * ES256 signing and verification of JWS signing inputs through WebCrypto, in the shape @sd-jwt
 * asks for (a function of the `header.payload` string returning the base64url signature).
 * WebCrypto's ECDSA output is already JWS's raw r||s, so no DER conversion is needed.
 */
import type { JWK } from "jose";
import { importSigningKey } from "./keys.js";
import { b64uEncode, utf8 } from "./encoding.js";
import { subtle } from "../crypto/webcrypto.js";

export type SigningKeyInput = CryptoKey | JWK;

export async function signingCryptoKey(key: SigningKeyInput): Promise<CryptoKey> {
  return key instanceof CryptoKey ? key : importSigningKey(key);
}

export function es256Signer(key: CryptoKey): (data: string) => Promise<string> {
  return async (data) => b64uEncode(new Uint8Array(await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, key, utf8(data))));
}
