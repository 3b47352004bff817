// Everything the consent page works from: the request (GET /interaction/:uid/passport), the vault
// key, and the holder's documents of the requested types, opened here. Nothing decrypted leaves
// this browser except inside the payload sealed to the client.
import { expiredOn, validateDocument, type DocumentType } from "../../documents/index.js";
import type { ConsentData } from "../../sharing/compose.js";
import { api } from "../_api.js";
import { describeError } from "../_form.js";
import { openDocument, type DocData } from "../vault/documents.js";
import { loadOverview, type ItemEnvelope, type VaultOverview } from "../vault/transport.js";
import { vaultKey } from "../vault/unlock.js";
import { openedFor, type OpenedCredential } from "../../sharing/credentials.js";
import { whyNoneFor, UNMET_WORDS } from "../../sharing/verified.js";
import { loadHolderCredentials, type HolderCredentials } from "./credentials.js";

/** One document the holder has: its envelope, its data once opened, and what is wrong with it. */
export interface Held {
  item: ItemEnvelope;
  /** null when it could not be opened. */
  data: DocData | null;
  /** Why it could not be opened, or what the shared schema finds wrong with it. */
  problems: string[];
}

export interface ConsentContext {
  uid: string;
  consent: ConsentData;
  key: CryptoKey;
  overview: VaultOverview;
  held: Map<DocumentType, Held>;
  /** The holder's attestations, opened here, the key that binds them, the verifiers to ask. */
  verified: HolderCredentials;
}

function expired(data: DocData): string[] {
  const on = expiredOn(data);
  return on ? [`It expired on ${on}; the app may refuse it.`] : [];
}

async function open(key: CryptoKey, item: ItemEnvelope): Promise<Held> {
  let data: DocData;
  try {
    data = await openDocument(key, item);
  } catch (err) {
    return { item, data: null, problems: [`It could not be opened: ${describeError(err)}`] };
  }
  const checked = validateDocument(item.type, data);
  const problems = checked.ok ? [] : checked.problems.map((p) => `${p.field.replace(/_/g, " ")} ${p.message}.`);
  return { item, data, problems: [...problems, ...expired(data)] };
}

export async function loadConsent(uid: string, onLocked?: () => void): Promise<ConsentContext> {
  const consent = await api<ConsentData>("GET", `/interaction/${encodeURIComponent(uid)}/passport`);
  const key = await vaultKey(onLocked);
  const overview = await loadOverview();
  const wanted = new Set<string>(consent.request.entries.flatMap((e) => e.types));
  const [opened, verified] = await Promise.all([Promise.all(overview.items.filter((i) => wanted.has(i.type)).map((item) => open(key, item))), loadHolderCredentials(key)]);
  return { uid, consent, key, overview, held: new Map(opened.map((h) => [h.item.type, h])), verified };
}

/** Types the holder can share now: held and opened. */
export const availableTypes = (ctx: ConsentContext) => new Set<string>([...ctx.held].filter(([, h]) => h.data).map(([t]) => t));

/** Types whose document has run out (shown with an "expired" badge; never shared without a look). */
export const expiredTypes = (ctx: ConsentContext) => new Set<string>([...ctx.held].filter(([, h]) => h.data && expiredOn(h.data)).map(([t]) => t));

/** How a held document stands against the request's standard: the credential that meets it, or why none does. */
export interface Standing {
  credential: OpenedCredential | null;
  /** Verified without a credential (the email Passport checks itself): meets "verified, any standard" only. */
  legacy: boolean;
  /** Why it does not meet the standard, in words (null when it does). */
  why: string | null;
}

export function standing(ctx: ConsentContext, type: DocumentType): Standing {
  const held = ctx.held.get(type);
  const constraint = ctx.consent.request.verification;
  const now = Date.now();
  const credential = held ? openedFor(type, ctx.verified.credentials, constraint, now, held.item) : null;
  const anyStandard = Object.values(constraint ?? {}).every((v) => v === null);
  const legacy = !credential && type === "email" && held?.item.verification === "verified" && anyStandard;
  if (credential || legacy) return { credential, legacy, why: null };
  return { credential: null, legacy: false, why: UNMET_WORDS[whyNoneFor(type, ctx.verified.credentials.map((c) => c.meta), constraint, now, held?.item)] };
}

/** Types whose document meets the request's verification standard. */
export const verifiedTypes = (ctx: ConsentContext) => new Set<string>([...ctx.held.keys()].filter((t) => { const s = standing(ctx, t); return Boolean(s.credential || s.legacy); }));

/** The vault editor for `type`, coming back to this consent page after saving. */
export const editLink = (ctx: ConsentContext, type: string) => `/vault/${type}?return=${encodeURIComponent(`/interaction/${ctx.uid}`)}`;
