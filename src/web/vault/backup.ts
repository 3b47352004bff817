// The encrypted backup file (made by export.ts): what the server holds for this vault — item
// envelopes, sealed files and the vault key wrapped under the password of the day — and nothing
// else. It is read back only in this browser (restore.ts); this module checks its shape.
import { z } from "zod";
import { DOCUMENT_TYPES } from "../../documents/index.js";
import { FormProblem } from "../_form.js";

export const BACKUP_FORMAT = "passport-backup/v1";

const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
const wrapped = z.string().max(200);

export const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  exportedAt: z.string(),
  email: z.string(),
  kdf: z.object({ alg: z.literal("pbkdf2-sha256"), iterations: z.number().int().positive(), salt: b64u }),
  wrappedVaultKey: wrapped,
  items: z
    .array(
      z.object({
        id: z.string().uuid(),
        type: z.enum(DOCUMENT_TYPES),
        version: z.number().int().min(1),
        ciphertext: b64u,
        wrappedKey: wrapped,
        createdAt: z.number(),
        updatedAt: z.number(),
      }),
    )
    .max(DOCUMENT_TYPES.length),
  files: z.array(z.object({ id: z.string().uuid(), itemId: z.string().uuid(), wrappedKey: wrapped, sha256: z.string(), data: b64u })),
});

export type Backup = z.infer<typeof backupSchema>;
export type BackupItem = Backup["items"][number];
export type BackupFile = Backup["files"][number];

/** Reads a backup file's text, or says in words why it is not one this page can read. */
export function parseBackup(text: string): Backup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FormProblem("This file is not a Passport backup (it is not JSON).");
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === "string" && format !== BACKUP_FORMAT) throw new FormProblem(`This backup has the format “${format.slice(0, 40)}”, which this Passport cannot read.`);
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) throw new FormProblem("This file is not a Passport backup, or it is damaged.");
  const types = parsed.data.items.map((i) => i.type);
  if (new Set(types).size !== types.length) throw new FormProblem("This backup is damaged: it holds one document type twice.");
  return parsed.data;
}

/** Bytes a sealed file takes once decoded from the backup's base64url. */
export const sealedSize = (f: BackupFile) => Math.floor((f.data.length * 3) / 4);
