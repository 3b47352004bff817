// `passport backup <dir>` and `passport restore <dir>` (SQLite; on PostgreSQL both refuse and
// name pg_dump / pg_restore). Backup reads the live server's files without opening a container: it
// must not run migrations or touch the server's uploads in progress. Restore writes the database
// and key, then opens a container on them, which proves the key opens the secrets and applies any
// newer migrations, and fills the configured blob store.
import path from "node:path";
import type { Command } from "commander";
import type { BlobStore } from "../blobs/blob-store.js";
import { createBlobStore } from "../blobs/create-blob-store.js";
import { DatabaseBlobStore } from "../blobs/database-blob-store.js";
import { loadConfig } from "../config.js";
import { createContainer } from "../container.js";
import { readManifest, refusePostgres, restoreBlobs, restoreDatabaseAndKey, writeBackup } from "../services/backup.js";
import { withJson } from "./context.js";
import { createOutput, fields } from "./output.js";

export function backupCommands(program: Command): void {
  withJson(
    program
      .command("backup")
      .description("copy the SQLite database, the blobs and the key file into a new folder, while the server runs")
      .argument("<dir>", "a new or empty folder")
      .option("--without-key", "leave the key file out (keep it elsewhere: without it the backup opens nothing)"),
  ).action(async (dir: string, o: { withoutKey?: boolean; json?: boolean }) => {
    const cfg = loadConfig();
    const blobs = cfg.blobs.store === "database" ? null : await createBlobStore(cfg.blobs, null, { clearTemporary: false });
    await blobs?.init?.();
    const m = await writeBackup(cfg, path.resolve(dir), blobs, { withKey: !o.withoutKey });
    createOutput(Boolean(o.json)).result(m, () =>
      [
        fields([
          ["backup", path.resolve(dir)],
          ["database", "passport.sqlite"],
          ["blobs", cfg.blobs.store === "database" ? "in the database" : m.blobs],
          ["key file", m.keyIncluded ? "included" : cfg.keyEncryptionSecret ? "no (KEY_ENCRYPTION_SECRET is used)" : "left out"],
        ]),
        m.missingBlobs ? `Warning: ${m.missingBlobs} blob(s) were deleted during the backup; their files will be missing after a restore.` : "",
        m.keyIncluded ? "The backup holds the key that opens the server's secrets: keep it as secret as the key file itself." : "Keep the key (KEY_FILE or KEY_ENCRYPTION_SECRET) safe separately: a restore needs it.",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  });

  withJson(
    program
      .command("restore")
      .description("put a backup into a fresh DATA_DIR and the configured blob store")
      .argument("<dir>", "a folder made by passport backup"),
  ).action(async (dir: string, o: { json?: boolean }) => {
    const cfg = loadConfig();
    refusePostgres(cfg, "restore");
    const m = readManifest(path.resolve(dir));
    const { keyWritten } = await restoreDatabaseAndKey(cfg, path.resolve(dir), m);
    const c = await createContainer(cfg);
    try {
      let blobs = await restoreBlobs(path.resolve(dir), c.blobs);
      // Blobs that lived in the old database go into the store configured now.
      if (m.blobStore === "database" && cfg.blobs.store !== "database") blobs += await moveDatabaseBlobs(new DatabaseBlobStore(c.ds), c.blobs);
      const missing = await c.vault.missingBlobs();
      createOutput(Boolean(o.json)).result({ ...m, restoredBlobs: blobs, keyWritten, missingBlobs: missing }, () =>
        [
          fields([
            ["restored", path.resolve(dir)],
            ["database", cfg.database.type === "sqlite" ? cfg.database.file : ""],
            ["blobs", `${blobs} into the ${cfg.blobs.store} store`],
            ["key file", keyWritten ? cfg.keyFile : cfg.keyEncryptionSecret ? "KEY_ENCRYPTION_SECRET" : `${cfg.keyFile} (already there)`],
          ]),
          missing ? `Warning: ${missing} file(s) have no blob; holders will see them as missing.` : "Every file's blob is in place. Start the server.",
        ].join("\n"),
      );
    } finally {
      await c.close();
    }
  });
}

async function moveDatabaseBlobs(from: DatabaseBlobStore, to: BlobStore): Promise<number> {
  let n = 0;
  for await (const hash of from.list()) {
    await to.put((await from.get(hash))!, { maxBytes: Number.MAX_SAFE_INTEGER });
    await from.delete(hash);
    n += 1;
  }
  return n;
}
