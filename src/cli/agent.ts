// The verifier agent: an outside party (a KYC service) that holds a verifier's private keys in a
// file and works its queue. It runs beside the server with the operator's access, through the
// same services the console API uses, and does on this machine what a member's browser does:
// opens submissions with the private key, issues SD-JWT VCs with the credentials library, seals
// them to the holder, approves or rejects. The server's database never sees the private keys.
import crypto from "node:crypto";
import fs from "node:fs";
import type { JWK } from "jose";
import type { Container } from "../container.js";
import {
  CREDENTIAL_TYP,
  CredentialError,
  SUBMISSION_TYP,
  documentClaims,
  generateVerifierKeys,
  importVerifierKeys,
  issueCredential,
  newStatusListToken,
  openJson,
  sealJson,
  vctFor,
  type PrivateJwks,
  type VerifierPrivateKeys,
} from "../credentials/index.js";
import { isIdentityDocument } from "../documents/types.js";
import { AppError, ConflictError, ValidationError } from "../errors.js";
import type { Reason } from "../services/submissions.js";

/** Fields that name scans: checked by the verifier, never attested as claims. */
const SCAN_FIELDS = new Set(["front_side", "reverse_side", "selfie", "files", "translation"]);
/** OpenID Connect for Identity Assurance document type names. */
const IDA_DOCUMENT_TYPES: Record<string, string> = { passport: "passport", identity_card: "idcard", driver_license: "driving_permit", internal_passport: "internal_passport" };

export interface AgentKeyFile {
  verifier: string;
  issuer: string;
  kid: string;
  privateJwks: PrivateJwks;
  createdAt: string;
}

export interface OpenedItem {
  itemId: string;
  type: string;
  version: number;
  fields: Record<string, unknown>;
  files: { id: string; role?: string; sha256?: string; size?: number }[];
}

export interface OpenedSubmission {
  id: string;
  items: OpenedItem[];
}

export type Decision = { decision: "approve"; validUntil?: string } | { decision: "reject"; reasons: Reason[] } | { decision: "skip" };

/**
 * Makes the verifier's keys here, writes them (private keys included) to `out` with mode 0600,
 * then registers the public keys and the first status list. The file is written first, refusing
 * to overwrite one, so registered keys are never lost; a refused registration removes it again.
 */
export async function initAgentKeys(c: Container, slug: string, out: string): Promise<{ kid: string; listId: string; file: string }> {
  const v = await c.verifiers.get(slug);
  if (v.signingJwk) throw new ConflictError(`${v.name} has keys already: use the key file made then, or a member's console`);
  const made = await generateVerifierKeys();
  const keys = await importVerifierKeys(made.privateJwks);
  const kid = made.publicJwks.signing.kid!;
  const listId = crypto.randomUUID();
  const statusListToken = await newStatusListToken({ issuer: v.issuer, uri: c.verifiers.statusUri(slug, listId), size: c.cfg.verifiers.statusListSize, signingKey: keys.signingKey, kid });
  const file: AgentKeyFile = { verifier: slug, issuer: v.issuer, kid, privateJwks: made.privateJwks, createdAt: new Date().toISOString() };
  try {
    fs.writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(code === "EEXIST" ? `${out} exists: the agent never overwrites a key file` : `cannot write ${out} (${code ?? "error"})`, { out: "cannot be written" });
  }
  fs.chmodSync(out, 0o600); // whatever the umask
  try {
    await c.verifiers.setupKeys(slug, null, { signingJwk: made.publicJwks.signing as never, encryptionJwk: made.publicJwks.encryption as never, sealedKeys: null, statusListToken });
  } catch (err) {
    fs.rmSync(out, { force: true });
    throw err;
  }
  return { kid, listId, file: out };
}

/** Reads a key file and checks it holds the keys the verifier publishes. */
export async function loadAgentKeys(c: Container, slug: string, keyFile: string): Promise<VerifierPrivateKeys> {
  let parsed: AgentKeyFile;
  try {
    parsed = JSON.parse(fs.readFileSync(keyFile, "utf8")) as AgentKeyFile;
  } catch (err) {
    throw new ValidationError(`cannot read the key file ${keyFile} (${(err as NodeJS.ErrnoException).code ?? "not JSON"})`, { keys: "cannot be read" });
  }
  const keys = await importVerifierKeys(parsed.privateJwks).catch(() => {
    throw new ValidationError(`${keyFile} holds no verifier keys`, { keys: "is damaged" });
  });
  const v = await c.verifiers.get(slug);
  if (!v.signingJwk || v.signingJwk.x !== keys.publicJwks.signing.x || v.encryptionJwk?.x !== keys.publicJwks.encryption.x) {
    throw new ValidationError(`${keyFile} does not hold ${slug}'s published keys`, { keys: "are not this verifier's" });
  }
  return keys;
}

/** The submission opened with the verifier's key, matched with what the server lists. */
async function openSubmission(keys: VerifierPrivateKeys, detail: { id: string; sealed: string; items: { itemId: string; type: string; version: number }[] }) {
  const payload = await openJson<{ items?: { id?: string; itemId?: string; type: string; version: number; fields?: Record<string, unknown>; files?: OpenedItem["files"] }[]; holder?: { signingJwk?: JWK } }>(keys.encryptionKey, detail.sealed, SUBMISSION_TYP);
  const sealed = payload.items ?? [];
  const items = detail.items.map((listed) => {
    const found = sealed.find((i) => (i.itemId ?? i.id) === listed.itemId);
    // What the server lists must be what the holder sealed, or the agent would attest another document.
    if (!found || found.type !== listed.type || found.version !== listed.version) throw new ValidationError(`the sealed submission does not match its ${listed.type}`);
    const fields = Object.fromEntries(Object.entries(found.fields ?? {}).filter(([k]) => !SCAN_FIELDS.has(k)));
    return { itemId: listed.itemId, type: found.type, version: found.version, fields, files: found.files ?? [] };
  });
  return { items, holderSigningJwk: payload.holder?.signingJwk ?? null };
}

const str = (x: unknown) => (typeof x === "string" && x ? x : undefined);

/** A credential's last day: the identity document's expiry, capped at `maxDays` from now. */
function validUntil(item: OpenedItem, items: OpenedItem[], maxDays: number, now: Date, asked?: string): number {
  const cap = now.getTime() + maxDays * 86_400_000;
  const doc = isIdentityDocument(item.type) ? item : items.find((i) => isIdentityDocument(i.type));
  const expiry = asked ?? str(doc?.fields.expiry_date);
  const end = expiry && /^\d{4}-\d{2}-\d{2}$/.test(expiry) ? Date.parse(`${expiry}T23:59:59Z`) : cap;
  return Math.floor(Math.min(end, cap) / 1000);
}

export interface ReviewSummary {
  approved: string[];
  rejected: string[];
  skipped: { id: string; why: string }[];
}

/** Works the queue once: every submission waiting for `slug`, decided by `decide`. */
export async function reviewQueue(c: Container, slug: string, keys: VerifierPrivateKeys, decide: (s: OpenedSubmission) => Promise<Decision>, opts: { maxDays?: number; now?: Date } = {}): Promise<ReviewSummary> {
  const v = await c.verifiers.get(slug);
  const summary: ReviewSummary = { approved: [], rejected: [], skipped: [] };
  for (const listed of await c.submissions.queue(slug, null, "submitted")) {
    const detail = await c.submissions.detail(slug, null, listed.id);
    try {
      const opened = await openSubmission(keys, detail);
      const holderSigningJwk = opened.holderSigningJwk ?? detail.holderSigningJwk;
      if (!holderSigningJwk || !detail.holderEncryptionJwk) {
        summary.skipped.push({ id: listed.id, why: "the holder has no keys to bind and seal credentials to" });
        continue;
      }
      const decision = await decide({ id: listed.id, items: opened.items });
      if (decision.decision === "skip") {
        summary.skipped.push({ id: listed.id, why: "left for later" });
        continue;
      }
      if (decision.decision === "reject") {
        await c.submissions.reject(slug, null, listed.id, decision.reasons);
        summary.rejected.push(listed.id);
        continue;
      }
      // Status indices first: a crash after this and a rerun reuses them (idempotent per submission).
      const r = await c.submissions.reserve(slug, null, listed.id);
      const now = opts.now ?? new Date();
      const method = v.evidenceMethods[0] ?? "pipp";
      const credentials = [];
      for (const item of opened.items) {
        const idx = r.indices[item.itemId]!;
        const doc = isIdentityDocument(item.type) ? item : opened.items.find((i) => isIdentityDocument(i.type));
        const verification = {
          trust_framework: v.trustFramework,
          assurance_level: v.assuranceLevel,
          time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
          evidence: [
            {
              type: "document",
              method,
              document_details: doc
                ? { type: IDA_DOCUMENT_TYPES[doc.type] ?? doc.type, ...(str(doc.fields.document_no) ? { document_number: str(doc.fields.document_no) } : {}), ...(str(doc.fields.expiry_date) ? { date_of_expiry: str(doc.fields.expiry_date) } : {}) }
                : { type: item.type },
            },
          ],
        };
        const exp = validUntil(item, opened.items, opts.maxDays ?? 365, now, decision.validUntil);
        const sdJwt = await issueCredential({
          issuer: v.issuer,
          kid: keys.publicJwks.signing.kid!,
          signingKey: keys.signingKey,
          vct: vctFor(c.cfg.issuer, item.type),
          claims: documentClaims(item.type, item.fields, now),
          verification,
          holderJwk: holderSigningJwk,
          status: { uri: r.statusList.uri, idx },
          iat: now,
          exp,
        });
        credentials.push({ itemId: item.itemId, sealed: await sealJson(detail.holderEncryptionJwk, sdJwt, CREDENTIAL_TYP), statusListId: r.statusList.id, statusIndex: idx, verification, expiresAt: exp * 1000 });
      }
      await c.submissions.approve(slug, null, listed.id, credentials);
      summary.approved.push(listed.id);
    } catch (err) {
      // Decided meanwhile by a member, withdrawn by the holder, or unreadable: note it and go on.
      if (!(err instanceof AppError || err instanceof CredentialError)) throw err;
      summary.skipped.push({ id: listed.id, why: err.message });
    }
  }
  return summary;
}
