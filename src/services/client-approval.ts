// The approval rules for Passport scopes and the change-log field lists, kept out of
// ClientService so it stays about storing clients. Under the operator's "approval" policy
// (DEVELOPER_PASSPORT_SCOPES) a client that asks for Passport scopes waits for an administrator;
// until then it may still sign people in with plain OpenID scopes (checked in src/oidc/provider.ts).
import { ValidationError } from "../errors.js";
import { isPassportScope } from "../sharing/scopes.js";
import type { ClientInput } from "./client-schema.js";
import type { ClientActor } from "./client-activity.js";

export type Approval = "approved" | "pending" | "rejected";

/** What create/update take besides the registration itself. */
export interface ClientChangeOptions {
  /** What the client uses Passport data for; `undefined` keeps it, `null` or "" clears it. */
  purpose?: string | null;
  /** The caller's policy says Passport scopes need an administrator (console, dynamic registration). */
  requireApproval?: boolean;
  /** Who makes the change, for the change log; the admin page when not given; null: not logged (the playground's throwaway clients). */
  actor?: ClientActor | null;
}

export const PURPOSE_MAX = 1000;
export const REASON_MAX = 1000;

const passportScopes = (input: ClientInput) => input.scopes.filter(isPassportScope);

export function parsePurpose(purpose: string | null | undefined): string | null | undefined {
  if (purpose === undefined) return undefined;
  const text = (purpose ?? "").trim();
  if (text.length > PURPOSE_MAX) throw new ValidationError(`invalid client: purpose: at most ${PURPOSE_MAX} characters`, { purpose: `at most ${PURPOSE_MAX} characters` });
  return text || null;
}

export function approvalOnCreate(input: ClientInput, requireApproval = false): Approval {
  return requireApproval && passportScopes(input).length > 0 ? "pending" : "approved";
}

/**
 * Adding a Passport scope under the approval policy asks again; so does editing a rejected or
 * pending client that still wants Passport scopes (a resubmission). Without the policy (an admin's
 * own edit) the state stays. A client without Passport scopes has nothing to approve.
 */
export function approvalOnUpdate(current: Approval, before: ClientInput, after: ClientInput, requireApproval = false): Approval {
  const wanted = passportScopes(after);
  if (wanted.length === 0) return "approved";
  if (!requireApproval) return current;
  const had = new Set(passportScopes(before));
  if (current !== "approved" || wanted.some((s) => !had.has(s))) return "pending";
  return "approved";
}

/** Names of the registration fields that differ (values are never logged). */
export function changedFields(before: ClientInput | null, after: ClientInput): string[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
