/**
 * Errors thrown by the crypto module.
 *
 * Callers (browser pages, CLI, services) show these messages to people, so they must be plain
 * sentences and must never leak a raw DOMException ("OperationError") from WebCrypto. The original
 * exception, when there is one, is kept as `cause` for debugging only.
 */

/** A cryptographic operation failed: wrong key, tampered or damaged ciphertext. */
export class CryptoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CryptoError";
  }
}

/**
 * The input was rejected before any cryptography ran: malformed base64url, a recovery key with a
 * typo, KDF parameters out of bounds. It extends CryptoError so one `instanceof CryptoError` check
 * covers every failure of this module, while callers that care can tell "you typed it wrong" apart.
 */
export class CryptoInputError extends CryptoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CryptoInputError";
  }
}
