// `passport backup <dir>` and `passport restore <dir>` on SQLite: the database (online backup
// API), every blob it refers to (as plain files, whatever the store) and, unless left out, the key
// file that opens the server's sealed secrets. The folder's layout:
//
//   manifest.json      written last: a folder without it is an unfinished backup
//   passport.sqlite    the database, consistent as of one moment
//   blobs/aa/<hash>    the sealed scans (ciphertext), the local store's own layout
//   passport.key       the key file (0600), unless --without-key or KEY_ENCRYPTION_SECRET is used
//
// Blobs are immutable and named by their hash, so they are copied before the database snapshot
// and again, after it, for any the snapshot names that the first pass missed (uploaded meanwhile).
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import { LocalBlobStore } from "../blobs/local-blob-store.js";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import { backupSqlite, lastMigration, referencedBlobs } from "../db/sqlite-backup.js";
import { readKeyFile } from "./key-file.js";

export const MANIFEST = "manifest.json";
const DATABASE = "passport.sqlite";
const KEY = "passport.key";
const BLOBS = "blobs";
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export interface Manifest {
  format: "passport-backup";
  version: 1;
  createdAt: string;
  database: "sqlite";
  /** The store the blobs came from; they are in blobs/ whatever it was, except "database" (in the database file). */
  blobStore: Config["blobs"]["store"];
  blobs: number;
  /** A blob the database names that was deleted during the backup (its file row went too, after the snapshot). */
  missingBlobs: number;
  keyIncluded: boolean;
  lastMigration: string | null;
}

export class BackupError extends AppError {
  constructor(message: string) {
    super("backup_failed", message, 400);
  }
}

/** On PostgreSQL the database is pg_dump's job; saying so beats backing up half a server. */
export function refusePostgres(cfg: Config, what: "backup" | "restore"): void {
  if (cfg.database.type !== "postgres") return;
  const tool = what === "backup" ? "pg_dump --format=custom" : "pg_restore";
  throw new BackupError(
    `DATABASE_URL is PostgreSQL: ${what === "backup" ? "back up" : "restore"} the database with ${tool}, and the blob store with the object store's own tools (bucket versioning or replication), or BLOB_DIR with rsync; see docs/deploy.md#backups`,
  );
}

/** Writes a backup of the running server's data into `dir` (new or empty). */
export async function writeBackup(cfg: Config, dir: string, blobs: BlobStore | null, opts: { withKey: boolean }): Promise<Manifest> {
  refusePostgres(cfg, "backup");
  const file = (cfg.database as { file: string }).file;
  if (!fs.existsSync(file)) throw new BackupError(`there is no database at ${file} (check DATA_DIR)`);
  const key = opts.withKey && !cfg.keyEncryptionSecret ? readKeyFile(cfg.keyFile) : null;
  if (opts.withKey && !cfg.keyEncryptionSecret && !key) throw new BackupError(`KEY_FILE ${cfg.keyFile} is missing: without it the backup could not be opened`);
  await emptyFolder(dir);

  const copy = new LocalBlobStore(path.join(dir, BLOBS));
  const copied = new Set<string>();
  if (blobs) for await (const hash of blobs.list()) await copyBlob(blobs, copy, hash, copied);
  await backupSqlite(file, path.join(dir, DATABASE));
  const named = blobs ? referencedBlobs(path.join(dir, DATABASE)) : new Set<string>();
  let missingBlobs = 0;
  for (const hash of named) if (!copied.has(hash) && !(await copyBlob(blobs!, copy, hash, copied))) missingBlobs += 1;
  // Blobs nobody names any more (deleted between the two passes) would only be collected again.
  for (const hash of copied) if (!named.has(hash)) await copy.delete(hash);
  await fsp.rm(path.join(dir, BLOBS, ".tmp"), { recursive: true, force: true });

  if (key) await fsp.writeFile(path.join(dir, KEY), `${key}\n`, { mode: 0o600, flag: "wx" });
  const manifest: Manifest = {
    format: "passport-backup",
    version: 1,
    createdAt: new Date().toISOString(),
    database: "sqlite",
    blobStore: cfg.blobs.store,
    blobs: blobs ? named.size - missingBlobs : 0,
    missingBlobs,
    keyIncluded: key !== null,
    lastMigration: lastMigration(path.join(dir, DATABASE)),
  };
  await fsp.writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

export function readManifest(dir: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    throw new BackupError(`${dir} holds no finished Passport backup (no readable ${MANIFEST})`);
  }
  if (m.format !== "passport-backup" || m.version !== 1) throw new BackupError(`${dir}: unknown backup format`);
  return m;
}

/**
 * Puts the key file and the database in place for `cfg` (a fresh DATA_DIR). The key is checked
 * before anything is written: a restored database without its key opens nothing.
 */
export async function restoreDatabaseAndKey(cfg: Config, dir: string, m: Manifest): Promise<{ keyWritten: boolean }> {
  refusePostgres(cfg, "restore");
  const file = (cfg.database as { file: string }).file;
  if (fs.existsSync(file)) throw new BackupError(`${file} exists: restore into a fresh DATA_DIR (or move the old one away first)`);
  const key = m.keyIncluded ? readKeyFile(path.join(dir, KEY)) : null;
  const existing = cfg.keyEncryptionSecret ? null : readKeyFile(cfg.keyFile);
  if (!cfg.keyEncryptionSecret) {
    if (!key && !existing) throw new BackupError(`the backup has no key file: put the original key at KEY_FILE (${cfg.keyFile}) or set KEY_ENCRYPTION_SECRET, then restore again`);
    if (key && existing && key !== existing) throw new BackupError(`KEY_FILE ${cfg.keyFile} holds another key than the backup's: move it away or point KEY_FILE elsewhere`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.restoring`;
  await fsp.copyFile(path.join(dir, DATABASE), tmp);
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, file);
  const keyWritten = Boolean(key && !existing && !cfg.keyEncryptionSecret);
  if (keyWritten) {
    fs.mkdirSync(path.dirname(cfg.keyFile), { recursive: true, mode: 0o700 });
    await fsp.writeFile(cfg.keyFile, `${key}\n`, { mode: 0o600, flag: "wx" });
  }
  return { keyWritten };
}

/** Puts every blob of the backup into `target` (any store), checking each against its name. */
export async function restoreBlobs(dir: string, target: BlobStore): Promise<number> {
  const folder = path.join(dir, BLOBS);
  if (!fs.existsSync(folder)) return 0;
  const source = new LocalBlobStore(folder);
  let n = 0;
  for await (const hash of source.list()) {
    const size = (await fsp.stat(path.join(folder, hash.slice(0, 2), hash))).size;
    const stored = await target.put((await source.get(hash))!, { maxBytes: NO_LIMIT, length: size });
    if (stored.hash !== hash) throw new BackupError(`blob ${hash} in the backup is damaged (its content hashes to ${stored.hash})`);
    n += 1;
  }
  await fsp.rm(path.join(folder, ".tmp"), { recursive: true, force: true });
  return n;
}

/** Copies one blob, checking its hash; false if the store no longer has it. */
async function copyBlob(from: BlobStore, to: BlobStore, hash: string, copied: Set<string>): Promise<boolean> {
  const stream = await from.get(hash);
  if (!stream) return false;
  const stored = await to.put(stream, { maxBytes: NO_LIMIT });
  if (stored.hash !== hash) throw new BackupError(`blob ${hash} in the store is damaged (its content hashes to ${stored.hash})`);
  copied.add(hash);
  return true;
}

async function emptyFolder(dir: string): Promise<void> {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: back up into a new folder`);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
}
