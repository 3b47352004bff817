// The vault: sealed items and files, stored and returned as envelopes only. The server checks the
// envelope's shape and the limits (sizes, quota, version), never the content: it cannot read it.
import type { Readable } from "node:stream";
import { type BlobStore, BlobTooLargeError } from "../blobs/blob-store.js";
import type { VaultFileRow, VaultItemRow } from "../db/entities.js";
import type { VaultStore } from "../db/vault.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { isDocumentType, MAX_FILES_PER_ITEM, type DocumentType } from "../documents/types.js";

/** AES-GCM adds a 12-byte IV and a 16-byte tag to every sealed file. */
export const SEAL_OVERHEAD = 28;

/**
 * How long an upload's reservation counts. Far longer than any upload may take (src/main.ts ends a
 * request after 30 s), so only a reservation left by a process that died mid-upload ever expires;
 * it then stops counting and the purge drops it. An upload that outlives it is checked again.
 */
export const RESERVATION_TTL_MS = 15 * 60_000;

export interface VaultLimits {
  maxFileBytes: number;
  quotaBytes: number;
  maxItemBytes: number;
  /** An upload not saved with a document counts this long; then it is as good as gone. */
  unattachedTtlSeconds: number;
}

export interface FileView {
  id: string;
  itemId: string | null;
  size: number;
  sha256: string;
  wrappedKey: string;
  createdAt: number;
}

export interface ItemError {
  /** The relying party's name, as the holder knows it. */
  source: string;
  /** One of Telegram Passport's nine kinds: data, front_side, reverse_side, selfie, file, files, translation_file, translation_files, unspecified. */
  kind: string;
  field?: string;
  fileId?: string;
  message: string;
  reportedAt: number;
}

export interface ItemView {
  id: string;
  type: DocumentType;
  version: number;
  ciphertext: string;
  wrappedKey: string;
  size: number;
  verification: string;
  errors: ItemError[];
  createdAt: number;
  updatedAt: number;
  files: FileView[];
}

export interface SaveItemInput {
  id: string;
  /** The version the holder's browser edited; 0 for a new item. The new item has version + 1. */
  version: number;
  ciphertext: string;
  wrappedKey: string;
  fileIds: string[];
  /** For the email item: the attestation from email verification, which makes it "verified". */
  attestation?: string;
}

/**
 * The email item's attestation (src/services/email-verification.ts): `check` answers the record id
 * of a genuine credential of this account's, or throws (400) why not; `settle` revokes the ones that
 * no longer stand for the item once it is saved (keeping `keep`). Deleting the item revokes
 * nothing: restoring a backup brings the item back with its credential (docs/decisions.md); the
 * next save without it does.
 */
export interface EmailAttestations {
  check(credential: string, accountId: string): Promise<string>;
  settle(accountId: string, keep: string | null, all?: boolean): Promise<void>;
}

const NO_EMAIL_ATTESTATIONS: EmailAttestations = {
  check: async () => {
    throw new ValidationError("The email attestation cannot be checked here.", { attestation: "not accepted" });
  },
  settle: async () => undefined,
};

export class QuotaExceededError extends AppError {
  constructor(quota: number) {
    super("quota_exceeded", `Your vault is full (${Math.round(quota / 1048576)} MiB). Delete a file or document first.`, 413);
  }
}

const fileView = (f: VaultFileRow): FileView => ({ id: f.id, itemId: f.itemId, size: f.size, sha256: f.blobHash, wrappedKey: f.wrappedKey, createdAt: f.createdAt });

export class VaultService {
  constructor(
    private readonly store: VaultStore,
    private readonly blobs: BlobStore,
    readonly limits: VaultLimits,
    private readonly emailAttestations: EmailAttestations = NO_EMAIL_ATTESTATIONS,
  ) {}

  async overview(accountId: string): Promise<{ items: ItemView[]; unattached: FileView[]; usage: number; quota: number; maxFileBytes: number }> {
    const [items, all] = await Promise.all([this.store.listItems(accountId), this.store.listFiles(accountId)]);
    const files = all.filter((f) => f.itemId || !this.lapsed(f));
    const byItem = new Map<string, FileView[]>();
    for (const f of files) if (f.itemId) byItem.set(f.itemId, [...(byItem.get(f.itemId) ?? []), fileView(f)]);
    return {
      items: items.map((i) => this.itemView(i, byItem.get(i.id) ?? [])),
      unattached: files.filter((f) => !f.itemId).map(fileView),
      usage: files.reduce((n, f) => n + f.size, 0),
      quota: this.limits.quotaBytes,
      maxFileBytes: this.limits.maxFileBytes,
    };
  }

  async saveItem(accountId: string, type: string, input: SaveItemInput): Promise<ItemView> {
    const docType = this.checkType(type);
    if (input.ciphertext.length > Math.ceil((this.limits.maxItemBytes * 4) / 3) + 4) {
      throw new ValidationError(`the document is too large (${this.limits.maxItemBytes} bytes at most)`, { ciphertext: "too large" });
    }
    const fileIds = [...new Set(input.fileIds)];
    if (fileIds.length > MAX_FILES_PER_ITEM) throw new ValidationError(`${MAX_FILES_PER_ITEM} files per document at most`, { fileIds: "too many" });
    await this.checkFiles(accountId, input.id, fileIds);
    const now = Date.now();
    const existing = await this.store.item(accountId, docType);
    if (existing && existing.id !== input.id) throw this.conflict(existing.version);
    // Only the email item is verified by Passport itself: its credential comes along, and is checked.
    const emailCredential = docType === "email" && input.attestation ? await this.emailAttestations.check(input.attestation, accountId) : null;
    const row: VaultItemRow = {
      id: input.id,
      accountId,
      type: docType,
      version: input.version + 1,
      ciphertext: input.ciphertext,
      wrappedKey: input.wrappedKey,
      size: input.ciphertext.length,
      // A change un-verifies: what was verified was the old content. Verifiers' approvals set it
      // afterwards (src/services/submissions.ts); the email item brings its credential along.
      verification: emailCredential ? "verified" : "unverified",
      errors: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    const { saved, detached } = await this.store.saveItem(row, input.version, fileIds);
    if (!saved) throw this.conflict((await this.store.item(accountId, docType))?.version ?? 0);
    // The credential the item now carries is the account's only valid one: the others are revoked.
    if (docType === "email") await this.emailAttestations.settle(accountId, emailCredential);
    await this.dropBlobs(detached);
    const files = await this.store.filesByIds(accountId, fileIds);
    return this.itemView(row, files.map(fileView));
  }

  async deleteItem(accountId: string, type: string, expectedVersion: number): Promise<void> {
    const docType = this.checkType(type);
    const current = await this.store.item(accountId, docType);
    if (!current) throw new NotFoundError(`there is no ${docType} in your vault`);
    const removed = await this.store.deleteItem(accountId, docType, expectedVersion);
    if (!removed) throw this.conflict(current.version);
    await this.dropBlobs(removed);
  }

  /**
   * Streams a sealed file into the blob store within the per-file limit and the holder's quota.
   * The room is reserved in the database first (the declared length, or as much as is left up to
   * the per-file limit when none is declared), so parallel uploads cannot all fit into the same
   * room; the stream is cut off past the reservation, which becomes the file's real size at the end
   * and is given back on any failure.
   */
  async upload(accountId: string, meta: { id: string; wrappedKey: string }, source: AsyncIterable<Uint8Array>, declaredBytes?: number): Promise<FileView> {
    if (await this.store.fileById(meta.id)) throw new ConflictError("a file with this id already exists", { id: "already used" });
    const perFile = this.limits.maxFileBytes + SEAL_OVERHEAD;
    if (declaredBytes !== undefined && declaredBytes > perFile) throw this.tooLarge();
    const rule = this.quotaRule();
    const held = await this.store.reserve(accountId, { max: declaredBytes ?? perFile, min: declaredBytes ?? 1, ttlMs: RESERVATION_TTL_MS, ...rule });
    if (!held) throw new QuotaExceededError(this.limits.quotaBytes);
    try {
      let blob;
      try {
        blob = await this.blobs.put(source, { maxBytes: held.bytes, length: declaredBytes });
      } catch (err) {
        if (err instanceof BlobTooLargeError) throw held.bytes < perFile ? new QuotaExceededError(this.limits.quotaBytes) : this.tooLarge();
        throw err;
      }
      const row: VaultFileRow = { id: meta.id, accountId, itemId: null, blobHash: blob.hash, size: blob.size, wrappedKey: meta.wrappedKey, createdAt: Date.now() };
      let stored;
      try {
        stored = await this.store.completeUpload(held.id, row, rule);
      } catch (err) {
        await this.dropBlobs([row]);
        // Two uploads with one id, in parallel: the second insert fails on the key.
        if (await this.store.fileById(meta.id)) throw new ConflictError("a file with this id already exists", { id: "already used" });
        throw err;
      }
      if (!stored) {
        await this.dropBlobs([row]);
        throw new QuotaExceededError(this.limits.quotaBytes);
      }
      return fileView(row);
    } catch (err) {
      // Best effort: if the database is what failed, the reservation expires by itself.
      await this.store.release(held.id).catch(() => undefined);
      throw err;
    }
  }

  async download(accountId: string, id: string): Promise<{ stream: Readable; file: FileView }> {
    const row = await this.store.file(accountId, id);
    if (!row) throw new NotFoundError("no such file");
    return this.openBlob(row);
  }

  /** For sharing: a file by id, whoever owns it (the caller has checked the grant). */
  async downloadShared(id: string): Promise<{ stream: Readable; file: FileView }> {
    const row = await this.store.fileById(id);
    if (!row) throw new NotFoundError("no such file");
    return this.openBlob(row);
  }

  async deleteFile(accountId: string, id: string): Promise<void> {
    const row = await this.store.file(accountId, id);
    if (!row) throw new NotFoundError("no such file");
    if (row.itemId) throw new ConflictError("this file belongs to a document: remove it from the document instead");
    await this.store.deleteFile(accountId, id);
    await this.dropBlobs([row]);
  }

  /** True when every id is an attached file of the holder (what a payload may reference). */
  async ownsAttachedFiles(accountId: string, ids: string[]): Promise<boolean> {
    const rows = await this.store.filesByIds(accountId, [...new Set(ids)]);
    return rows.length === new Set(ids).size && rows.every((r) => r.itemId !== null);
  }

  /**
   * Records problems a relying party found in a shared item. They apply to the version it received;
   * if the holder has changed the item since, there is nothing to fix and the report is refused.
   */
  async reportErrors(accountId: string, type: string, version: number, errors: ItemError[]): Promise<void> {
    const docType = this.checkType(type);
    const item = await this.store.item(accountId, docType);
    if (!item) throw new NotFoundError(`the holder has no ${docType} any more`);
    if (item.version !== version) throw new ConflictError(`the holder has changed this ${docType} since it was shared (now version ${item.version})`);
    const existing = item.errors ? (JSON.parse(item.errors) as ItemError[]) : [];
    const merged = [...existing.filter((e) => !errors.some((n) => n.source === e.source && n.kind === e.kind && n.field === e.field)), ...errors].slice(-50);
    if (!(await this.store.setErrors(accountId, docType, version, JSON.stringify(merged)))) throw new ConflictError(`the holder changed this ${docType} just now`);
  }

  /** Account deletion: every item, file and blob of the holder. */
  async deleteAll(accountId: string): Promise<void> {
    await this.dropBlobs(await this.store.deleteAll(accountId));
  }

  /**
   * Removes uploads never attached to an item (older than `graceMs`, by default the window after
   * which they stop counting), expired reservations, and blobs nobody references. A blob younger
   * than an upload may take is left alone: it may belong to an upload (on this or another process)
   * between storing its bytes and recording its file.
   */
  async collectGarbage(graceMs = this.limits.unattachedTtlSeconds * 1000, now = Date.now()): Promise<{ files: number; blobs: number; reservations: number; incompleteUploads: number }> {
    const reservations = await this.store.purgeReservations(now);
    const stale = await this.store.deleteUnattachedBefore(now - graceMs);
    await this.dropBlobs(stale);
    let blobs = 0;
    for await (const hash of this.blobs.list({ storedBefore: now - RESERVATION_TTL_MS })) {
      if (!(await this.store.blobInUse(hash))) {
        await this.blobs.delete(hash);
        blobs += 1;
      }
    }
    const incompleteUploads = (await this.blobs.sweepIncomplete?.()) ?? 0;
    return { files: stale.length, blobs, reservations, incompleteUploads };
  }

  /** Files whose blob is not in the store (after a restore: what a backup missed). */
  async missingBlobs(): Promise<number> {
    let n = 0;
    for (const hash of await this.store.blobHashes()) if (!(await this.blobs.exists(hash))) n += 1;
    return n;
  }

  private quotaRule(): { quota: number; unattachedTtlMs: number } {
    return { quota: this.limits.quotaBytes, unattachedTtlMs: this.limits.unattachedTtlSeconds * 1000 };
  }

  /** An unattached upload past its window: it no longer counts, so it may not be attached either. */
  private lapsed(f: VaultFileRow, now = Date.now()): boolean {
    return !f.itemId && f.createdAt <= now - this.limits.unattachedTtlSeconds * 1000;
  }

  private tooLarge(): AppError {
    return new AppError("too_large", `The file is too large: ${Math.round(this.limits.maxFileBytes / 1048576)} MiB at most.`, 413);
  }

  private async openBlob(row: VaultFileRow): Promise<{ stream: Readable; file: FileView }> {
    const stream = await this.blobs.get(row.blobHash);
    if (!stream) throw new AppError("blob_missing", "this file's data is missing from storage", 410);
    return { stream, file: fileView(row) };
  }

  private async checkFiles(accountId: string, itemId: string, fileIds: string[]): Promise<void> {
    const rows = await this.store.filesByIds(accountId, fileIds);
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of fileIds) {
      const row = found.get(id);
      if (!row) throw new ValidationError(`file ${id} is not in your vault (upload it first)`, { fileIds: `unknown file ${id}` });
      if (row.itemId && row.itemId !== itemId) throw new ValidationError(`file ${id} belongs to another document`, { fileIds: `file ${id} is taken` });
      if (this.lapsed(row)) {
        const minutes = Math.round(this.limits.unattachedTtlSeconds / 60);
        throw new ValidationError(`file ${id} was uploaded over ${minutes} minutes ago and not saved, so it was dropped: add it again`, { fileIds: `file ${id} was dropped` });
      }
    }
  }

  private async dropBlobs(rows: VaultFileRow[]): Promise<void> {
    for (const r of rows) if (!(await this.store.blobInUse(r.blobHash))) await this.blobs.delete(r.blobHash);
  }

  private checkType(type: string): DocumentType {
    if (!isDocumentType(type)) throw new NotFoundError(`unknown document type "${type}"`);
    return type;
  }

  private conflict(currentVersion: number): ConflictError {
    return new ConflictError(
      `This document was changed elsewhere (now at version ${currentVersion}). Reload to see the latest version; your changes were not saved.`,
      { version: `current version is ${currentVersion}` },
    );
  }

  private itemView(i: VaultItemRow, files: FileView[]): ItemView {
    return {
      id: i.id,
      type: i.type as DocumentType,
      version: i.version,
      ciphertext: i.ciphertext,
      wrappedKey: i.wrappedKey,
      size: i.size,
      verification: i.verification,
      errors: i.errors ? (JSON.parse(i.errors) as ItemError[]) : [],
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      files,
    };
  }
}
