// Where each vault item stands with verifiers: the holder's submissions and credentials as the
// vault API lists them (metadata only: the sealed parts stay sealed here), and the one state an
// item shows on its card and its page. Pure apart from the three fetches, so the rules can be
// tested without a browser.
import type { JWK } from "jose";
import { api } from "../_api.js";

/** One verifier as `GET /api/verifiers` lists it (public data only). */
export interface VerifierInfo {
  slug: string;
  name: string;
  issuer: string;
  trust_framework: string;
  assurance_level: string;
  evidence_methods: string[];
  encryption_jwk: JWK | null;
  /** The document types it accepts. */
  accepts: string[];
}

/** A verifier's problem with one field or scan of a submitted item (Telegram Passport's nine kinds). */
export interface RejectionReason {
  itemType: string;
  kind: string;
  field?: string;
  message: string;
}

export type SubmissionState = "submitted" | "approved" | "rejected" | "withdrawn";

export interface SubmissionView {
  id: string;
  verifier: { slug: string; name: string };
  items: { itemId: string; type: string; version: number }[];
  state: SubmissionState;
  reasons: RejectionReason[];
  createdAt: number;
  updatedAt: number;
  decidedAt?: number | null;
}

export interface CredentialView {
  id: string;
  itemId: string;
  itemVersion: number;
  type: string;
  /** Null once the verifier is gone from the server. */
  verifier: { slug: string; name: string; issuer: string; trust_framework: string; assurance_level: string } | null;
  verification: unknown;
  sealed: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  /** The credential's item version is the item's version now: it attests what the vault holds. */
  current: boolean;
}

/** The server's lists may come bare or wrapped in an object; either way an array comes out. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

/** Times arrive as epoch milliseconds or ISO strings; the pages compare milliseconds. */
export function millis(t: unknown): number {
  if (typeof t === "number") return t;
  if (typeof t === "string") return Date.parse(t);
  return NaN;
}

export const loadVerifiers = async () => listOf<VerifierInfo>(await api("GET", "/api/verifiers"), "verifiers");
export const loadSubmissions = async () => listOf<SubmissionView>(await api("GET", "/api/vault/submissions"), "submissions");
export const loadCredentials = async () => listOf<CredentialView>(await api("GET", "/api/vault/credentials"), "credentials");
export const withdrawSubmission = (id: string) => api("POST", `/api/vault/submissions/${encodeURIComponent(id)}/withdraw`);

/** The verifiers a holder may send an item of `type` to. */
export const verifiersFor = (all: VerifierInfo[], type: string) => all.filter((v) => v.accepts.includes(type) && v.encryption_jwk);

/** Where one item stands; `none` when no verifier has it or had it. */
export type ItemVerification =
  | { kind: "none" }
  /** `outdated`: the item changed after it was sent, so an approval would not count for it. */
  | { kind: "submitted"; submission: SubmissionView; outdated: boolean }
  | { kind: "rejected"; submission: SubmissionView; reasons: RejectionReason[]; outdated: boolean }
  | { kind: "approved"; credential: CredentialView }
  | { kind: "revoked"; credential: CredentialView }
  | { kind: "expired"; credential: CredentialView }
  /** Verified once, changed since: what was verified was the old content. */
  | { kind: "changed"; credential: CredentialView };

const latest = <T>(list: T[], at: (x: T) => number): T | undefined => list.reduce<T | undefined>((a, b) => (!a || at(b) >= at(a) ? b : a), undefined);

/**
 * The state of item `itemId` (of `type`, now at `version`): a submission still waiting wins; then
 * whichever came last of the newest credential and the newest rejection. Withdrawn submissions
 * count as never made.
 */
export function itemVerification(
  item: { id: string; type: string; version: number },
  submissions: SubmissionView[],
  credentials: CredentialView[],
  now = Date.now(),
): ItemVerification {
  const subs = submissions.filter((s) => s.state !== "withdrawn" && s.items.some((i) => i.itemId === item.id));
  const pending = latest(
    subs.filter((s) => s.state === "submitted"),
    (s) => millis(s.createdAt),
  );
  if (pending) return { kind: "submitted", submission: pending, outdated: pending.items.some((i) => i.itemId === item.id && i.version !== item.version) };
  const credential = latest(
    credentials.filter((c) => c.itemId === item.id),
    (c) => millis(c.issuedAt),
  );
  const rejected = latest(
    subs.filter((s) => s.state === "rejected"),
    (s) => millis(s.decidedAt ?? s.updatedAt),
  );
  if (rejected && (!credential || millis(rejected.decidedAt ?? rejected.updatedAt) > millis(credential.issuedAt))) {
    const sent = rejected.items.find((i) => i.itemId === item.id);
    return {
      kind: "rejected",
      submission: rejected,
      reasons: rejected.reasons.filter((r) => r.itemType === item.type),
      outdated: !!sent && sent.version !== item.version,
    };
  }
  if (!credential) return { kind: "none" };
  if (credential.revoked) return { kind: "revoked", credential };
  if (!credential.current || credential.itemVersion !== item.version) return { kind: "changed", credential };
  if (millis(credential.expiresAt) <= now) return { kind: "expired", credential };
  return { kind: "approved", credential };
}

/** Words for a trust framework and level: "eidas, high". */
export const standardOf = (v: { trust_framework: string; assurance_level: string }) => [v.trust_framework, v.assurance_level].filter(Boolean).join(", ");

const byWhom = (c: CredentialView) => c.verifier?.name ?? "a verifier no longer registered";

const day = (ms: number) => new Date(ms).toLocaleDateString(undefined, { dateStyle: "medium" });

/** One line for the item's card and the top of its page. */
export function describeVerification(s: ItemVerification): string {
  switch (s.kind) {
    case "none":
      return "";
    case "submitted":
      return s.outdated
        ? `Submitted to ${s.submission.verifier.name} on ${day(millis(s.submission.createdAt))}, before your last change: withdraw it and submit again`
        : `Submitted to ${s.submission.verifier.name} on ${day(millis(s.submission.createdAt))}: waiting for review`;
    case "rejected": {
      const n = s.reasons.length;
      const why = n ? ` (${n} ${n === 1 ? "reason" : "reasons"})` : "";
      return `Rejected by ${s.submission.verifier.name}${why}${s.outdated ? ": changed since, submit it again" : ": fix it and submit again"}`;
    }
    case "approved":
      return `Verified by ${byWhom(s.credential)} until ${day(millis(s.credential.expiresAt))}${s.credential.verifier ? ` (${standardOf(s.credential.verifier)})` : ""}`;
    case "revoked":
      return `Verification revoked by ${byWhom(s.credential)}`;
    case "expired":
      return `Verification by ${byWhom(s.credential)} expired on ${day(millis(s.credential.expiresAt))}`;
    case "changed":
      return `Was verified by ${byWhom(s.credential)}; changed since, so no longer verified`;
  }
}

/** True when saving the item would throw away something a verifier did or is doing. */
export const saveDropsVerification = (s: ItemVerification) => s.kind === "approved" || (s.kind === "submitted" && !s.outdated);

/** Where a verifier's reason belongs on the edit page: the field it names, or the scan slot of its kind. */
export function reasonTarget(r: RejectionReason): string | null {
  if (r.field) return r.field;
  const slots: Record<string, string> = {
    front_side: "front_side",
    reverse_side: "reverse_side",
    selfie: "selfie",
    file: "files",
    files: "files",
    translation_file: "translation",
    translation_files: "translation",
  };
  return slots[r.kind] ?? null;
}
