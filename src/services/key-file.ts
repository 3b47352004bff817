// The key file: a random key-encryption secret kept in KEY_FILE when KEY_ENCRYPTION_SECRET is not
// given. Made on first start, mode 0600 (its folder 0700 when Passport creates it). Two processes
// starting together on a fresh install must end with one key: the file is written whole under a
// temporary name, then hard-linked to its final name, which fails if that exists (an atomic
// create-if-absent, like O_EXCL, but a reader never sees a half-written file). The loser reads
// the winner's key.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../config.js";

/** Shortest content accepted as a key (the generated one is 43 characters: 32 random bytes). */
const MIN_LENGTH = 32;

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** The key in `file`, or null if there is no such file. */
export function readKeyFile(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch (e) {
    if (code(e) === "ENOENT") return null;
    throw new ConfigError(`KEY_FILE ${file} cannot be read: ${(e as Error).message}`);
  }
  if (text.length < MIN_LENGTH) throw new ConfigError(`KEY_FILE ${file} holds no usable key (at least ${MIN_LENGTH} characters expected)`);
  return text;
}

/** Makes the key file unless another process just did; returns the key now in it. */
export function createKeyFile(file: string): { secret: string; created: boolean } {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = crypto.randomBytes(32).toString("base64url");
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}`);
  try {
    const fd = fs.openSync(tmp, "wx", 0o600);
    try {
      fs.writeSync(fd, `${secret}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if (code(e) !== "EEXIST") throw e;
      return { secret: readKeyFile(file)!, created: false };
    }
    syncDir(dir);
    return { secret, created: true };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`KEY_FILE ${file} cannot be created: ${(e as Error).message}; make its folder writable, or set KEY_FILE elsewhere or KEY_ENCRYPTION_SECRET`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The key file's mode bits beyond 0600, if any (a warning, not a refusal: mounted secrets are often 0644). */
export function looseMode(file: string): number {
  return fs.statSync(file).mode & 0o077;
}

/** Makes the new name itself durable, so a crash cannot lose a key that already sealed secrets. */
function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a folder; the file itself is synced.
  }
}
