// Seals server-side secrets at rest (private signing keys, cookie key, salts, HMAC keys) with
// AES-256-GCM under a key derived from the key-encryption secret: KEY_ENCRYPTION_SECRET, or the
// content of KEY_FILE (secrets-at-rest.ts decides which). Rows written by older versions without a
// key are marked "plain:"; they still open, and are sealed at the next start.
import crypto from "node:crypto";
import { AppError } from "../errors.js";

export const SEALED_PREFIX = "enc:v1:";
export const PLAIN_PREFIX = "plain:";

export class SecretBox {
  private readonly key: Buffer | null;

  /**
   * `secret` empty means no key: only storage-level tests build a box like that (they check the
   * key ring, not sealing); the server always has one. `source` names it in error messages.
   */
  constructor(
    secret: string,
    private readonly source = "KEY_ENCRYPTION_SECRET",
  ) {
    this.key = secret ? Buffer.from(crypto.hkdfSync("sha256", secret, "passport", "secret-box/v1", 32)) : null;
  }

  get sealing(): boolean {
    return this.key !== null;
  }

  seal(plaintext: string): string {
    if (!this.key) return `${PLAIN_PREFIX}${plaintext}`;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}${iv.toString("base64url")}.${ct.toString("base64url")}`;
  }

  open(sealed: string): string {
    if (sealed.startsWith(PLAIN_PREFIX)) return sealed.slice(PLAIN_PREFIX.length);
    if (!sealed.startsWith(SEALED_PREFIX)) throw new AppError("server_error", "stored secret has an unknown format", 500);
    if (!this.key) {
      throw new AppError("config_error", "stored keys are encrypted: set KEY_ENCRYPTION_SECRET (or KEY_FILE) to the key used when they were written", 500);
    }
    const [ivPart, ctPart] = sealed.slice(SEALED_PREFIX.length).split(".");
    const ct = Buffer.from(ctPart ?? "", "base64url");
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(ivPart ?? "", "base64url"));
      decipher.setAuthTag(ct.subarray(ct.length - 16));
      return Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new AppError("config_error", `${this.source} does not open the stored keys`, 500);
    }
  }
}
