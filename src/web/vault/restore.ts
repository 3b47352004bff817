// Restore from an encrypted backup, all in this browser. The backup's documents are sealed under
// the vault key of the day they were exported; that is this vault's key unless the account was
// made anew since, when the password of that day opens the key the backup carries. Each document
// chosen is opened, its scans are opened and sealed again under the current vault key with new
// ids and uploaded (the quota applies as for any upload), and it is saved like an edit. The server
// sees only the new ciphertext.
import { b64uDecode, CryptoError, openFile, openItem, openVaultWithPassword, sealFile, unwrapItemKey } from "../../crypto/index.js";
import { DOCUMENT_LABELS, validateDocument, type DocumentType, type ScanRef } from "../../documents/index.js";
import { ApiError } from "../_api.js";
import { describeError, FormProblem } from "../_form.js";
import { sealedSize, type Backup, type BackupFile } from "./backup.js";
import { formatBytes } from "./dom.js";
import { openDocument, saveDocument, SCAN_FIELDS, type DocData } from "./documents.js";
import { liveAttestations } from "./email.js";
import { combine, fingerprint } from "./restore-merge.js";
import { deleteUpload, uploadSealed, type ItemEnvelope, type VaultOverview } from "./transport.js";

/** For a document type the vault and the backup both hold: which one stays. */
export type Choice = "mine" | "backup" | "both";

export interface PlanRow {
  type: DocumentType;
  theirs: DocData;
  mine: { item: ItemEnvelope; data: DocData } | null;
  /** The vault holds the same document already: nothing to do. */
  same: boolean;
}

export interface Restoring {
  /** This vault's key. */
  key: CryptoKey;
  /** The key the backup's documents are sealed under (often the same). */
  backupKey: CryptoKey;
  backup: Backup;
  overview: VaultOverview;
}

const label = (type: DocumentType) => DOCUMENT_LABELS[type];
const isScan = (v: unknown): v is ScanRef => !!v && typeof v === "object" && "sha256" in v && "id" in v;

/** True when this vault's key is the one the backup's documents are sealed under. */
export async function opensWith(key: CryptoKey, backup: Backup): Promise<boolean> {
  const first = backup.items[0];
  if (!first) return true;
  try {
    await unwrapItemKey(first.wrappedKey, key, first.id);
    return true;
  } catch {
    return false;
  }
}

/** The backup's own vault key, opened with the password the holder had when making it. */
export async function backupKeyFromPassword(backup: Backup, password: string): Promise<CryptoKey> {
  try {
    return await openVaultWithPassword(password, backup.kdf, backup.wrappedVaultKey);
  } catch (err) {
    if (err instanceof CryptoError) throw new FormProblem("This password does not open the backup. Enter the password you had when you made it.");
    throw err;
  }
}

/** Each backup document, opened, beside the vault's own of the same type. */
export async function planRestore(key: CryptoKey, backupKey: CryptoKey, backup: Backup, overview: VaultOverview): Promise<PlanRow[]> {
  const rows: PlanRow[] = [];
  for (const item of backup.items) {
    let theirs: DocData;
    try {
      theirs = await openItem<DocData>(backupKey, item, item);
    } catch (err) {
      throw new FormProblem(`The backup's ${label(item.type).toLowerCase()} does not open: ${describeError(err)}`);
    }
    const current = overview.items.find((i) => i.type === item.type);
    const mine = current ? { item: current, data: await openDocument(key, current) } : null;
    rows.push({ type: item.type, theirs, mine, same: mine !== null && fingerprint(mine.data) === fingerprint(theirs) });
  }
  return rows;
}

export interface Job {
  row: PlanRow;
  data: DocData;
  /** Scan ids already in this vault (kept by "keep both"), which need no upload. */
  kept: Set<string>;
}

export function jobsFor(rows: PlanRow[], choice: (type: DocumentType) => Choice): Job[] {
  return rows
    .filter((r) => !r.same && !(r.mine && choice(r.type) === "mine"))
    .map((row) => {
      const both = row.mine !== null && choice(row.type) === "both";
      const data = both ? combine(row.mine!.data, row.theirs) : row.theirs;
      return { row, data, kept: new Set(both ? row.mine!.item.files.map((f) => f.id) : []) };
    });
}

const scansIn = (data: DocData): ScanRef[] => SCAN_FIELDS.flatMap(({ field }) => (Array.isArray(data[field]) ? (data[field] as unknown[]) : [data[field]]).filter(isScan));

/** Refuses before anything is uploaded when the vault cannot take what the restore needs. */
export function checkRoom(room: Pick<VaultOverview, "quota" | "usage">, jobs: Job[], file: (id: string) => BackupFile): void {
  let needed = 0;
  let freed = 0;
  for (const job of jobs) {
    for (const s of scansIn(job.data).filter((s) => !job.kept.has(s.id))) {
      needed += sealedSize(file(s.id)) + (s.thumbnailId ? sealedSize(file(s.thumbnailId)) : 0);
    }
    // "Take the backup's" replaces the vault's document, whose scans then go.
    if (job.row.mine && job.kept.size === 0) freed += job.row.mine.item.files.reduce((n, f) => n + f.size, 0);
  }
  const free = room.quota - room.usage + freed;
  if (needed > free) {
    throw new FormProblem(`The chosen documents need ${formatBytes(needed)} of scans, and your vault has ${formatBytes(Math.max(0, free))} free. Delete something first, or keep your own copy of some documents.`);
  }
}

export interface RestoreResult {
  documents: DocumentType[];
  scans: number;
  unchanged: DocumentType[];
}

/** Restores the rows as chosen; stops at the first failure, saying what was restored before it. */
export async function restore(r: Restoring, rows: PlanRow[], choice: (type: DocumentType) => Choice, progress: (text: string) => void): Promise<RestoreResult> {
  const files = new Map(r.backup.files.map((f) => [f.id, f]));
  const file = (id: string) => {
    const f = files.get(id);
    if (!f) throw new FormProblem("This backup is damaged: a scan it refers to is missing from it.");
    return f;
  };
  const jobs = jobsFor(rows, choice);
  for (const job of jobs) {
    const checked = validateDocument(job.row.type, job.data);
    if (!checked.ok) {
      const why = checked.problems.map((p) => `${p.field.replace(/_/g, " ")} ${p.message}`).join("; ");
      throw new FormProblem(`Your ${label(job.row.type).toLowerCase()} cannot be restored this way (${why}). Choose another option for it.`);
    }
  }
  checkRoom(r.overview, jobs, file);

  const result: RestoreResult = { documents: [], scans: 0, unchanged: rows.filter((row) => row.same).map((row) => row.type) };
  for (const job of jobs) {
    progress(`Restoring your ${label(job.row.type).toLowerCase()}…`);
    const uploaded: string[] = [];
    try {
      const data = await copyScans(r, job, file, uploaded);
      await save(r.key, job.row, data);
    } catch (err) {
      await Promise.all(uploaded.map((id) => deleteUpload(id).catch(() => undefined)));
      const before = result.documents.length ? ` Restored before it: ${result.documents.map((t) => label(t).toLowerCase()).join(", ")}.` : "";
      throw new FormProblem(`Your ${label(job.row.type).toLowerCase()} was not restored: ${describeError(err)}${before}`);
    }
    result.documents.push(job.row.type);
    result.scans += uploaded.length;
  }
  return result;
}

/** The document with every scan from the backup opened, sealed again under this vault's key and uploaded. */
async function copyScans(r: Restoring, job: Job, file: (id: string) => BackupFile, uploaded: string[]): Promise<DocData> {
  const copyFile = async (id: string) => {
    const f = file(id);
    const bytes = await openFile(r.backupKey, id, f.wrappedKey, b64uDecode(f.data));
    const fresh = crypto.randomUUID();
    const sealed = await sealFile(r.key, fresh, bytes);
    await uploadSealed(fresh, sealed);
    uploaded.push(fresh);
    return { id: fresh, sha256: sealed.sha256 };
  };
  const copy = async (ref: ScanRef): Promise<ScanRef> => {
    if (job.kept.has(ref.id)) return ref;
    const main = await copyFile(ref.id);
    const thumbnailId = ref.thumbnailId ? (await copyFile(ref.thumbnailId)).id : undefined;
    return { ...ref, id: main.id, sha256: main.sha256, ...(thumbnailId ? { thumbnailId } : {}) };
  };
  const out: DocData = { ...job.data };
  for (const { field } of SCAN_FIELDS) {
    const v = job.data[field];
    if (Array.isArray(v)) {
      const refs: ScanRef[] = [];
      for (const ref of v) refs.push(isScan(ref) ? await copy(ref) : ref);
      out[field] = refs;
    } else if (isScan(v)) {
      out[field] = await copy(v);
    }
  }
  return out;
}

/** Saved like an edit: over the vault's own document of the type, or as a new one. */
async function save(key: CryptoKey, row: PlanRow, data: DocData): Promise<void> {
  const base = row.mine ? { id: row.mine.item.id, version: row.mine.item.version } : { id: crypto.randomUUID(), version: 0 };
  const attestation = Array.isArray(data.attestations) ? liveAttestations(data.attestations as string[]).at(-1) : undefined;
  try {
    await saveDocument(key, row.type, base, data, attestation);
  } catch (err) {
    // An attestation this server no longer accepts (another account, a rotated key): save unverified.
    if (!(attestation && err instanceof ApiError && err.fields.attestation)) throw err;
    await saveDocument(key, row.type, base, { ...data, attestations: [] });
  }
}
