// Server secrets at rest (server_keys: signing keys, cookie key, pairwise salt, HMAC keys) are
// always sealed. At start this picks the key (KEY_ENCRYPTION_SECRET, else KEY_FILE, made on first
// start), refuses to start when secrets are already sealed and the key is missing or wrong (a new
// key could never open them: making one silently would orphan every signing key), seals rows that
// older versions stored "plain:", and returns one warning line for each weakness that remains.
import path from "node:path";
import { type Config, ConfigError } from "../config.js";
import { ensurePrivateDir } from "../db/private-files.js";
import type { ServerKeyStore } from "../db/server-keys.js";
import { createKeyFile, looseMode, readKeyFile } from "./key-file.js";
import { PLAIN_PREFIX, SEALED_PREFIX, SecretBox } from "./secret-box.js";

export interface SecretsAtRest {
  box: SecretBox;
  /** One line each, for the log at warn level. */
  warnings: string[];
  /** Rows stored "plain:" that this start sealed. */
  sealedNow: number;
}

export async function openSecretsAtRest(cfg: Config, store: ServerKeyStore): Promise<SecretsAtRest> {
  const warnings: string[] = [];
  const dir = ensurePrivateDir(cfg.dataDir);
  if (dir) warnings.push(dir);
  const box = cfg.keyEncryptionSecret ? await fromSecret(cfg, store, warnings) : await fromKeyFile(cfg, store, warnings);
  const sealedNow = await sealPlainRows(store, box);
  // Only an older version still running against the same database can have written these since.
  const left = (await store.listWithPrefix(PLAIN_PREFIX)).length;
  if (left) warnings.push(`${left} server secrets are stored unsealed in server_keys (written by an older Passport still running?): restart once every process runs this version`);
  return { box, warnings, sealedNow };
}

/** Shorter than the generated key file's content: a thief of the database could try to guess it (HKDF does not stretch). */
const SHORT_SECRET = 32;

function fromSecret(cfg: Config, store: ServerKeyStore, warnings: string[]): Promise<SecretBox> {
  if (cfg.keyEncryptionSecret.length < SHORT_SECRET) {
    warnings.push(`KEY_ENCRYPTION_SECRET is short (${cfg.keyEncryptionSecret.length} characters): use at least ${SHORT_SECRET} random ones, e.g. \`openssl rand -base64 32\``);
  }
  return checked(new SecretBox(cfg.keyEncryptionSecret, "KEY_ENCRYPTION_SECRET"), store, "set it to the value they were sealed with");
}

async function fromKeyFile(cfg: Config, store: ServerKeyStore, warnings: string[]): Promise<SecretBox> {
  const name = `KEY_FILE ${cfg.keyFile}`;
  let secret = readKeyFile(cfg.keyFile);
  if (secret === null) {
    if (await store.firstWithPrefix(SEALED_PREFIX)) {
      // Read again: a process starting beside this one makes the file before it seals anything.
      secret = readKeyFile(cfg.keyFile);
      if (secret === null) {
        throw new ConfigError(
          `the server secrets in the database are sealed, but ${name} does not exist: restore that file (or set KEY_ENCRYPTION_SECRET to its content). A new key could never open them, so none is made.`,
        );
      }
    } else {
      secret = createKeyFile(cfg.keyFile).secret;
    }
  }
  if (looseMode(cfg.keyFile)) warnings.push(`${name} is readable by other users: chmod 600 it`);
  if (cfg.database.type === "sqlite" && inside(cfg.dataDir, cfg.keyFile)) {
    warnings.push(`${name} is inside DATA_DIR, next to the database: a copy of that folder carries the sealed secrets and their key; keep the key elsewhere (KEY_FILE or KEY_ENCRYPTION_SECRET)`);
  }
  return checked(new SecretBox(secret, name), store, "restore the key file they were sealed with, or set KEY_ENCRYPTION_SECRET to its content");
}

/** Opens one sealed row now, so a wrong key stops the start with a clear message, not a later 500. */
async function checked(box: SecretBox, store: ServerKeyStore, hint: string): Promise<SecretBox> {
  const sample = await store.firstWithPrefix(SEALED_PREFIX);
  if (sample) {
    try {
      box.open(sample.privateData);
    } catch (e) {
      throw new ConfigError(`${(e as Error).message} (the server secrets in the database): ${hint}`);
    }
  }
  return box;
}

/** Seals rows older versions stored as they are; idempotent, and safe with two processes (replaceData). */
async function sealPlainRows(store: ServerKeyStore, box: SecretBox): Promise<number> {
  if (!box.sealing) return 0;
  const rows = await store.listWithPrefix(PLAIN_PREFIX);
  if (!rows.length) return 0;
  return store.replaceData(rows.map((r) => ({ kid: r.kid, from: r.privateData, to: box.seal(box.open(r.privateData)) })));
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}
