// Export, both made in this browser: a ZIP of every document decrypted (one JSON each, plus its
// scans), and an encrypted backup that holds only what the server holds (envelopes, sealed files,
// the password-wrapped vault key), so it opens with the vault key (or the password of the day) and
// nothing else. The vault page reads it back (restore.ts).
import { zipSync, type Zippable } from "fflate";
import { b64uEncode, type KdfParams } from "../../crypto/index.js";
import { api } from "../_api.js";
import { describeError } from "../_form.js";
import { must, saveBlob } from "./dom.js";
import { openDocument, scansOf } from "./documents.js";
import { openScan, scanFileName } from "./scans.js";
import { fetchSealed, type VaultOverview } from "./transport.js";
import { BACKUP_FORMAT } from "./backup.js";

const today = () => new Date().toISOString().slice(0, 10);

/** A file name safe in any archive tool: no folders, no control characters. */
const safeName = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "_").slice(0, 120);

async function decryptedArchive(key: CryptoKey, o: VaultOverview): Promise<Blob> {
  const entries: Zippable = {};
  for (const item of o.items) {
    const data = await openDocument(key, item);
    const folder: Zippable = { [`${item.type}.json`]: new TextEncoder().encode(JSON.stringify({ type: item.type, updatedAt: new Date(item.updatedAt).toISOString(), data }, null, 2)) };
    for (const s of scansOf(data)) {
      const prefix = s.label.replace(/\s+/g, "-").toLowerCase();
      const name = safeName(`${prefix}-${scanFileName(s.ref, "scan")}`);
      // Images and PDFs are compressed already: store them as they are.
      folder[name] = [await openScan(key, item.files, s.ref), { level: 0 }];
    }
    entries[item.type] = folder;
  }
  return new Blob([zipSync(entries, { level: 6 })], { type: "application/zip" });
}

async function encryptedBackup(o: VaultOverview): Promise<Blob> {
  const account = await api<{ account: { email: string }; kdf: KdfParams; wrappedVaultKey: string }>("GET", "/api/account");
  const items = o.items.map(({ id, type, version, ciphertext, wrappedKey, createdAt, updatedAt }) => ({ id, type, version, ciphertext, wrappedKey, createdAt, updatedAt }));
  const files = [];
  for (const item of o.items) {
    for (const f of item.files) files.push({ id: f.id, itemId: item.id, wrappedKey: f.wrappedKey, sha256: f.sha256, data: b64uEncode(await fetchSealed(f.id)) });
  }
  const backup = {
    format: BACKUP_FORMAT,
    exportedAt: new Date().toISOString(),
    email: account.account.email,
    kdf: account.kdf,
    wrappedVaultKey: account.wrappedVaultKey,
    items,
    files,
  };
  return new Blob([JSON.stringify(backup)], { type: "application/json" });
}

export function setupExport(key: CryptoKey, overview: () => VaultOverview): void {
  const status = must(document, "#export-status");
  const run = (button: HTMLButtonElement, make: () => Promise<[Blob, string]>) => {
    button.addEventListener("click", () => {
      button.disabled = true;
      status.className = "muted";
      status.textContent = "Preparing the download…";
      make()
        .then(([blob, name]) => {
          saveBlob(blob, name);
          status.textContent = `${name} is ready.`;
        })
        .catch((err) => {
          status.className = "error";
          status.textContent = describeError(err);
        })
        .finally(() => (button.disabled = false));
    });
  };
  run(must(document, "#export-zip"), async () => [await decryptedArchive(key, overview()), `passport-vault-${today()}.zip`]);
  run(must(document, "#export-backup"), async () => [await encryptedBackup(overview()), `passport-backup-${today()}.json`]);
}
