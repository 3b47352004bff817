// Encrypts server-side secrets at rest (private signing keys, client secrets) with a key derived
// from KEY_ENCRYPTION_SECRET. Without that setting values are stored as they are, marked "plain:",
// so an operator can turn encryption on later: new writes are encrypted, old rows still read.
import crypto from "node:crypto";
import { AppError } from "../errors.js";

const PREFIX = "enc:v1:";

export class SecretBox {
  private readonly key: Buffer | null;

  constructor(secret: string) {
    this.key = secret ? Buffer.from(crypto.hkdfSync("sha256", secret, "passport", "secret-box/v1", 32)) : null;
  }

  seal(plaintext: string): string {
    if (!this.key) return `plain:${plaintext}`;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${iv.toString("base64url")}.${ct.toString("base64url")}`;
  }

  open(sealed: string): string {
    if (sealed.startsWith("plain:")) return sealed.slice(6);
    if (!sealed.startsWith(PREFIX)) throw new AppError("server_error", "stored secret has an unknown format", 500);
    if (!this.key) {
      throw new AppError("config_error", "stored keys are encrypted: set KEY_ENCRYPTION_SECRET to the value used when they were written", 500);
    }
    const [ivPart, ctPart] = sealed.slice(PREFIX.length).split(".");
    const ct = Buffer.from(ctPart ?? "", "base64url");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(ivPart ?? "", "base64url"));
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    try {
      return Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new AppError("config_error", "KEY_ENCRYPTION_SECRET does not open the stored keys", 500);
    }
  }
}
