// Submissions and credentials: the holder's side (submit, list, withdraw, credentials) and the
// verifier members' side (queue, open, files, reserve status indices, approve, reject, revoke).
// The server checks ownership, versions, states and signatures; it never opens a JWE.
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import { decodeProtectedHeader, type JWK } from "jose";
import { z } from "zod";
import type { CredentialRow, SubmissionRow, VerifierRow } from "../db/entities.js";
import type { SubmissionStore } from "../db/submissions.js";
import type { CredentialStore } from "../db/credentials.js";
import type { StatusListStore } from "../db/status-lists.js";
import type { HolderKeyStore } from "../db/holder-keys.js";
import type { VaultStore } from "../db/vault.js";
import { isUniqueViolation } from "../db/errors.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.js";
import type { FileView, VaultService } from "./vault.js";
import { ERROR_KINDS } from "./sharing.js";
import { ACCEPTED_TYPES, VerifierDisabledError, type VerifierService } from "./verifiers.js";
import { checkStatusListToken, setIndices } from "./status-token.js";

export const SUBMISSION_TYP = "passport-submission+jwe";
export const CREDENTIAL_TYP = "passport-credential+jwe";

export class TooManySubmissionsError extends AppError {
  constructor(max: number) {
    super("too_many_submissions", `You have ${max} submissions waiting for a decision: withdraw one or wait for a verifier first.`, 429);
  }
}

export interface SubmitInput {
  verifier: string;
  items: { itemId: string; version: number }[];
  sealed: string;
  fileIds: string[];
}

export interface CredentialInput {
  itemId: string;
  sealed: string;
  statusListId: string;
  statusIndex: number;
  verification: Record<string, unknown>;
  expiresAt: number;
}

export interface Reason {
  itemType: string;
  kind: (typeof ERROR_KINDS)[number];
  field?: string;
  message: string;
}

interface SubmittedItem {
  itemId: string;
  type: string;
  version: number;
}

/** A compact JWE (five parts) with the given `typ`, an ECDH-ES key agreement and AES-GCM. */
export function checkJwe(jwe: string, typ: string, field: string): void {
  const bad = () => new ValidationError(`${field} must be a compact JWE of type ${typ}`, { [field]: `is not a ${typ}` });
  if (jwe.split(".").length !== 5) throw bad();
  let h;
  try {
    h = decodeProtectedHeader(jwe);
  } catch {
    throw bad();
  }
  if (h.typ !== typ || typeof h.alg !== "string" || !h.alg.startsWith("ECDH-ES") || typeof h.enc !== "string" || !/^A(128|192|256)GCM$/.test(h.enc)) throw bad();
}

/** Who decided, when the operator's CLI agent did. */
const AGENT = "agent";

/**
 * The verification metadata the server keeps beside a sealed credential: the standard it was
 * checked to (trust framework, assurance level, time, evidence type, method and document type),
 * never document data. A console that sends the whole `verification` (with the document number
 * and expiry, which the SD-JWT carries as disclosures) has those dropped here.
 */
export function publicVerification(v: Record<string, unknown>): Record<string, unknown> {
  const str = (x: unknown) => (typeof x === "string" && x ? x.slice(0, 100) : undefined);
  const evidence = Array.isArray(v.evidence)
    ? v.evidence.slice(0, 10).map((e: Record<string, unknown> | null) => {
        const details = e?.document_details as Record<string, unknown> | undefined;
        return { type: str(e?.type), method: str(e?.method), ...(details ? { document_details: { type: str(details.type) } } : {}) };
      })
    : undefined;
  return JSON.parse(JSON.stringify({ trust_framework: str(v.trust_framework), assurance_level: str(v.assurance_level), time: str(v.time), evidence })) as Record<string, unknown>;
}

const items = (s: SubmissionRow) => JSON.parse(s.items) as SubmittedItem[];

export class SubmissionService {
  constructor(
    private readonly store: SubmissionStore,
    private readonly credentials: CredentialStore,
    private readonly lists: StatusListStore,
    private readonly holderKeys: HolderKeyStore,
    private readonly vaultStore: VaultStore,
    private readonly vault: VaultService,
    private readonly verifiers: VerifierService,
    private readonly maxOpen: number,
  ) {}

  // ---- holder

  async submit(accountId: string, input: SubmitInput): Promise<ReturnType<SubmissionService["holderView"]>> {
    const v = await this.verifiers.row(input.verifier);
    if (v.status !== "active" || !v.encryptionJwk) throw new VerifierDisabledError(v.name);
    if (!(await this.holderKeys.get(accountId))) throw new ConflictError("Set up your holder keys first (open your vault once).");
    checkJwe(input.sealed, SUBMISSION_TYP, "sealed");
    const mine = new Map((await this.vaultStore.listItems(accountId)).map((i) => [i.id, i]));
    const submitted: SubmittedItem[] = [];
    const seen = new Set<string>();
    input.items.forEach((it, n) => {
      const item = mine.get(it.itemId);
      if (!item) throw new ValidationError("no such item in your vault", { [`items.${n}.itemId`]: "is not in your vault" });
      if (seen.has(it.itemId)) throw new ValidationError("an item is listed twice", { [`items.${n}.itemId`]: "is listed twice" });
      seen.add(it.itemId);
      if (item.version !== it.version) throw new ConflictError(`Your ${item.type} was changed meanwhile (version ${item.version}): submit it again.`, { [`items.${n}.version`]: "is not the current version" });
      if (!(ACCEPTED_TYPES as readonly string[]).includes(item.type)) throw new ValidationError(`${item.type} is not verified by verifiers`, { [`items.${n}.itemId`]: "is not accepted" });
      submitted.push({ itemId: item.id, type: item.type, version: item.version });
    });
    const fileIds = [...new Set(input.fileIds)];
    const files = await this.vaultStore.filesByIds(accountId, fileIds);
    for (const id of fileIds) {
      const f = files.find((x) => x.id === id);
      if (!f || !f.itemId || !seen.has(f.itemId)) throw new ValidationError("a file is not one of the submitted items' files", { fileIds: `${id} is not a file of the submitted items` });
    }
    const now = Date.now();
    const row: SubmissionRow = {
      id: crypto.randomUUID(),
      accountId,
      verifierId: v.id,
      items: JSON.stringify(submitted),
      sealed: input.sealed,
      fileIds: JSON.stringify(fileIds),
      state: "submitted",
      reasons: null,
      decidedBy: null,
      decidedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const outcome = await this.store.create(row, submitted.map((i) => i.itemId), this.maxOpen);
    if (outcome === "limit") throw new TooManySubmissionsError(this.maxOpen);
    if (outcome === "taken") throw new ConflictError(`An item is already waiting at ${v.name}: withdraw that submission first.`);
    return this.holderView(row, new Map([[v.id, v]]));
  }

  async listForHolder(accountId: string) {
    const rows = await this.store.ofAccount(accountId);
    const vs = await this.verifierMap(rows.map((r) => r.verifierId));
    return rows.map((r) => this.holderView(r, vs));
  }

  async withdraw(accountId: string, id: string): Promise<void> {
    const s = await this.store.get(id);
    if (!s || s.accountId !== accountId) throw new NotFoundError("no such submission");
    if (!(await this.store.withdraw(id, accountId, Date.now()))) throw new ConflictError(`This submission is ${(await this.store.get(id))?.state ?? "gone"} already.`);
  }

  async credentialsForHolder(accountId: string) {
    const [rows, vaultItems] = await Promise.all([this.credentials.ofAccount(accountId), this.vaultStore.listItems(accountId)]);
    const versions = new Map(vaultItems.map((i) => [i.id, i.version]));
    const vs = await this.verifierMap(rows.map((r) => r.verifierId));
    return rows.map((c) => {
      const v = vs.get(c.verifierId);
      return {
        id: c.id,
        itemId: c.itemId,
        itemVersion: c.itemVersion,
        type: c.docType,
        verifier: v ? { slug: v.slug, name: v.name, issuer: this.verifiers.issuerOf(v), trust_framework: v.trustFramework, assurance_level: v.assuranceLevel } : null,
        verification: JSON.parse(c.verification) as unknown,
        sealed: c.sealed,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
        revoked: c.revokedAt !== null,
        current: versions.get(c.itemId) === c.itemVersion,
      };
    });
  }

  private holderView(r: SubmissionRow, vs: Map<string, VerifierRow>) {
    const v = vs.get(r.verifierId);
    return {
      id: r.id,
      verifier: { slug: v?.slug ?? "", name: v?.name ?? "" },
      items: items(r),
      fileIds: JSON.parse(r.fileIds) as string[],
      state: r.state,
      reasons: r.reasons ? (JSON.parse(r.reasons) as Reason[]) : [],
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      decidedAt: r.decidedAt,
    };
  }

  // ---- verifier members

  async queue(slug: string, accountId: string | null, state?: SubmissionRow["state"]) {
    const v = await this.member(slug, accountId);
    return (await this.store.ofVerifier(v.id, state)).map((s) => this.summary(s));
  }

  async detail(slug: string, accountId: string | null, id: string) {
    const { s } = await this.mine(slug, accountId, id);
    const keys = await this.holderKeys.get(s.accountId);
    const creds = await this.credentials.ofSubmission(s.id);
    return {
      ...this.summary(s),
      sealed: s.sealed,
      fileIds: JSON.parse(s.fileIds) as string[],
      holderSigningJwk: keys ? (JSON.parse(keys.signingJwk) as JWK) : null,
      holderEncryptionJwk: keys ? (JSON.parse(keys.encryptionJwk) as JWK) : null,
      reasons: s.reasons ? (JSON.parse(s.reasons) as Reason[]) : [],
      credentials: creds.map((c) => ({ id: c.id, itemId: c.itemId, docType: c.docType, statusListId: c.statusListId, statusIndex: c.statusIndex, issuedAt: c.issuedAt, expiresAt: c.expiresAt, revokedAt: c.revokedAt })),
    };
  }

  /** A scan of a submission still waiting for a decision (ciphertext; its key is in the sealed submission). */
  async file(slug: string, accountId: string | null, id: string, fileId: string): Promise<{ stream: Readable; file: FileView }> {
    const { s } = await this.mine(slug, accountId, id);
    if (!(JSON.parse(s.fileIds) as string[]).includes(fileId)) throw new NotFoundError("no such file in this submission");
    if (s.state !== "submitted") throw new ConflictError(`This submission is ${s.state}: its files are no longer shared with you.`);
    return this.vault.download(s.accountId, fileId);
  }

  /**
   * Reserves one status list index per item, before anything is signed. Idempotent: the same
   * submission always gets the same indices back (so a retried approval reuses them).
   */
  async reserve(slug: string, accountId: string | null, id: string): Promise<{ statusList: { id: string; uri: string }; indices: Record<string, number> }> {
    const { v, s } = await this.mine(slug, accountId, id);
    const answer = (rows: { statusListId: string; itemId: string; statusIndex: number }[]) => ({
      statusList: { id: rows[0]!.statusListId, uri: this.verifiers.statusUri(v.slug, rows[0]!.statusListId) },
      indices: Object.fromEntries(rows.map((r) => [r.itemId, r.statusIndex])),
    });
    const held = await this.lists.reservedFor(s.id);
    if (held.length) return answer(held);
    if (s.state !== "submitted") throw new ConflictError(`This submission is ${s.state} already.`);
    const itemIds = items(s).map((i) => i.itemId);
    for (const list of (await this.lists.ofVerifier(v.id)).reverse()) {
      try {
        const rows = await this.lists.reserve(list.id, s.id, itemIds);
        if (rows) return answer(rows);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return answer(await this.lists.reservedFor(s.id)); // a parallel call reserved first
      }
    }
    throw new ConflictError(`${v.name}'s status lists are full (or not set up).`);
  }

  async approve(slug: string, accountId: string | null, id: string, creds: CredentialInput[]): Promise<void> {
    const { v, s } = await this.mine(slug, accountId, id);
    if (s.state !== "submitted") throw new ConflictError(`This submission is ${s.state} already.`);
    const submitted = items(s);
    const reserved = new Map((await this.lists.reservedFor(s.id)).map((r) => [r.itemId, r]));
    if (!reserved.size) throw new ConflictError("Reserve status indices first (POST …/reserve).");
    if (creds.length !== submitted.length || new Set(creds.map((c) => c.itemId)).size !== creds.length) {
      throw new ValidationError("send one credential per submitted item", { credentials: `needs exactly one per item (${submitted.length})` });
    }
    const now = Date.now();
    const rows: CredentialRow[] = creds.map((c, n) => {
      const item = submitted.find((i) => i.itemId === c.itemId);
      if (!item) throw new ValidationError("a credential is for an item not in this submission", { [`credentials.${n}.itemId`]: "is not in this submission" });
      const r = reserved.get(c.itemId);
      if (!r || r.statusListId !== c.statusListId || r.statusIndex !== c.statusIndex) {
        throw new ValidationError("the status entry is not the one reserved for this item", { [`credentials.${n}.statusIndex`]: "is not the reserved index" });
      }
      checkJwe(c.sealed, CREDENTIAL_TYP, `credentials.${n}.sealed`);
      return {
        id: crypto.randomUUID(),
        accountId: s.accountId,
        submissionId: s.id,
        verifierId: v.id,
        itemId: item.itemId,
        itemVersion: item.version,
        docType: item.type,
        sealed: c.sealed,
        statusListId: r.statusListId,
        statusIndex: r.statusIndex,
        verification: JSON.stringify(publicVerification(c.verification)),
        issuedAt: now,
        expiresAt: c.expiresAt,
        revokedAt: null,
      };
    });
    if (!(await this.store.approve(s.id, accountId ?? AGENT, rows, now))) throw new ConflictError(`This submission was ${(await this.store.get(s.id))?.state ?? "removed"} meanwhile.`);
  }

  async reject(slug: string, accountId: string | null, id: string, reasons: Reason[]): Promise<void> {
    const { s } = await this.mine(slug, accountId, id);
    const types = new Set(items(s).map((i) => i.type));
    reasons.forEach((r, n) => {
      if (!types.has(r.itemType)) throw new ValidationError("a reason names a type not in this submission", { [`reasons.${n}.itemType`]: "is not in this submission" });
    });
    if (!(await this.store.reject(s.id, accountId ?? AGENT, JSON.stringify(reasons), Date.now()))) throw new ConflictError(`This submission is ${(await this.store.get(s.id))?.state ?? "gone"} already.`);
  }

  /** The current token of one of the verifier's lists, with its version (for a revocation's compare-and-set). */
  async statusForMember(slug: string, accountId: string | null, listId: string) {
    const v = await this.member(slug, accountId);
    const list = z.string().uuid().safeParse(listId).success ? await this.lists.get(listId) : null;
    if (!list || list.verifierId !== v.id) throw new NotFoundError("no such status list");
    return { id: list.id, uri: this.verifiers.statusUri(v.slug, list.id), token: list.token, version: list.version, size: list.size, used: list.nextIndex };
  }

  /**
   * Revocation: the verifier signs a new list with the credential's bit set and sends it with the
   * version it changed. Checked: signature (the verifier's key), `sub`, that bit set, no bit that
   * was set cleared, no other bit newly set; then compare-and-set on the version (409 if stale).
   */
  async revoke(slug: string, accountId: string | null, credentialId: string, token: string, version: number): Promise<void> {
    const v = await this.member(slug, accountId);
    const c = z.string().uuid().safeParse(credentialId).success ? await this.credentials.get(credentialId) : null;
    if (!c || c.verifierId !== v.id) throw new NotFoundError("no such credential");
    if (c.revokedAt) throw new ConflictError("This credential is revoked already.");
    const list = await this.lists.get(c.statusListId);
    if (!list || !v.signingJwk) throw new NotFoundError("no such status list");
    if (list.version !== version) throw new ConflictError(`The status list changed meanwhile (version ${list.version}): fetch it and revoke again.`);
    const signing = JSON.parse(v.signingJwk) as JWK;
    const next = await checkStatusListToken(token, signing, this.verifiers.statusUri(v.slug, list.id));
    if (next.size < list.size) throw new ValidationError("the new list is shorter than the old", { token: "is too short" });
    const before = setIndices((await checkStatusListToken(list.token, signing)).list, list.size);
    const after = setIndices(next.list, list.size);
    for (const i of before) if (!after.has(i)) throw new ValidationError(`entry ${i} was revoked and must stay so`, { token: `clears entry ${i}` });
    if (!after.has(c.statusIndex)) throw new ValidationError(`entry ${c.statusIndex} (this credential) is not set`, { token: "does not revoke this credential" });
    for (const i of after) if (!before.has(i) && i !== c.statusIndex) throw new ValidationError(`entry ${i} is another credential's`, { token: `also sets entry ${i}` });
    if (!(await this.credentials.revoke(c.id, list.id, version, token, Date.now()))) throw new ConflictError("The status list changed meanwhile: fetch it and revoke again.");
  }

  private member(slug: string, accountId: string | null): Promise<VerifierRow> {
    return accountId ? this.verifiers.asMember(slug, accountId) : this.verifiers.row(slug);
  }

  private summary(s: SubmissionRow) {
    return { id: s.id, state: s.state, items: items(s), createdAt: s.createdAt, updatedAt: s.updatedAt, decidedAt: s.decidedAt };
  }

  /** `accountId` null: the operator's CLI agent (src/cli/verifier-agent.ts), which needs no membership. */
  private async mine(slug: string, accountId: string | null, id: string): Promise<{ v: VerifierRow; s: SubmissionRow }> {
    const v = await this.member(slug, accountId);
    const s = z.string().uuid().safeParse(id).success ? await this.store.get(id) : null;
    if (!s || s.verifierId !== v.id) throw new NotFoundError("no such submission");
    return { v, s };
  }

  private async verifierMap(ids: string[]): Promise<Map<string, VerifierRow>> {
    return new Map((await this.verifiers.rowsByIds([...new Set(ids)])).map((v) => [v.id, v]));
  }
}
