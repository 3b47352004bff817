// What the holder chose last time for this client: which document answered a "one of" request and
// which optional parts went along. Kept in this browser only (type names and yes/no, never
// content), so that a remembered consent shares the same document again rather than the first one
// that fits. Keyed by client and by the pairwise subject, so another account here starts afresh.
import { defaultChoice, type ConsentData, type EntryChoice } from "../../sharing/compose.js";
import type { RequestEntry } from "../../sharing/request.js";

const storageKey = (c: ConsentData) => `passport.consent.${c.client.id}.${c.sub}`;

function read(consent: ConsentData): Record<string, Partial<EntryChoice>> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(consent)) ?? "{}");
    return parsed && typeof parsed === "object" ? (parsed as Record<string, Partial<EntryChoice>>) : {};
  } catch {
    // Storage disabled or a damaged entry: the defaults serve.
    return {};
  }
}

/** An optional part keeps the holder's last answer; a required one is always included. */
const part = (want: string, saved: unknown, fallback: boolean) => (want === "optional" && typeof saved === "boolean" ? saved : fallback);

function recallOne(entry: RequestEntry, available: Set<string>, saved: Partial<EntryChoice> | undefined): EntryChoice {
  const choice = defaultChoice(entry, available);
  if (!saved) return choice;
  const type = saved.type && entry.types.includes(saved.type) && available.has(saved.type) ? saved.type : choice.type;
  return {
    type,
    selfie: part(entry.options.selfie, saved.selfie, choice.selfie),
    translation: part(entry.options.translation, saved.translation, choice.translation),
    nativeNames: part(entry.options.nativeNames, saved.nativeNames, choice.nativeNames),
    // Fields left out of a verified document are decided afresh each time.
    withheld: [],
  };
}

export function recallChoices(consent: ConsentData, available: Set<string>): Map<string, EntryChoice> {
  const saved = read(consent);
  return new Map(consent.request.entries.map((e) => [e.key, recallOne(e, available, saved[e.key])]));
}

export function rememberChoices(consent: ConsentData, choices: Map<string, EntryChoice>): void {
  try {
    localStorage.setItem(storageKey(consent), JSON.stringify({ ...read(consent), ...Object.fromEntries(choices) }));
  } catch {
    // Not remembering only means the defaults next time.
  }
}
