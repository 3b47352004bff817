// The optional parts a request may ask for besides a document's fields: the selfie, the
// translation pages, the names in the native script. Each applies to some types only, and the
// holder's document may lack it.
import { isIdentityDocument, scanRoles, type DocumentType } from "../../documents/index.js";
import type { EntryChoice } from "../../sharing/compose.js";
import type { RequestEntry, Want } from "../../sharing/request.js";
import type { DocData } from "../vault/documents.js";
import { availableTypes, type ConsentContext } from "./load.js";
import { entryTitle, yourType } from "./words.js";

export type PartName = "selfie" | "translation" | "nativeNames";

export interface Part {
  name: PartName;
  words: string;
  /** "it" or "them", for "add it to your passport". */
  pronoun: string;
  applies: (type: DocumentType) => boolean;
  present: (data: DocData) => boolean;
}

const NATIVE = ["first_name_native", "middle_name_native", "last_name_native"];

export const PARTS: Part[] = [
  { name: "selfie", words: "the selfie with the document", pronoun: "it", applies: isIdentityDocument, present: (d) => Boolean(d.selfie) },
  {
    name: "translation",
    words: "the translation pages",
    pronoun: "them",
    applies: (t) => scanRoles(t).includes("translation"),
    present: (d) => Array.isArray(d.translation) && d.translation.length > 0,
  },
  { name: "nativeNames", words: "your names in the native script", pronoun: "them", applies: (t) => t === "personal_details", present: (d) => NATIVE.some((f) => Boolean(d[f])) },
];

/** The parts this entry asks for that the chosen type can have, with how much they are wanted. */
export function askedParts(entry: RequestEntry, type: DocumentType): { part: Part; want: Want }[] {
  return PARTS.filter((p) => entry.options[p.name] !== "no" && p.applies(type)).map((part) => ({ part, want: entry.options[part.name] }));
}

/**
 * Required parts the chosen document does not have. missingRequired() checks the holder's
 * choices; this checks the document: a required selfie that was never added cannot be sent.
 */
export function absentRequiredParts(ctx: ConsentContext, choices: Map<string, EntryChoice>): string[] {
  const available = availableTypes(ctx);
  const problems: string[] = [];
  for (const entry of ctx.consent.request.entries) {
    const type = choices.get(entry.key)?.type;
    const data = type && available.has(type) ? ctx.held.get(type)?.data : null;
    if (!type || !data) continue;
    for (const { part, want } of askedParts(entry, type)) {
      if (want === "required" && !part.present(data)) problems.push(`${entryTitle(entry)}: this app requires ${part.words}; add ${part.pronoun} to ${yourType(type)} first.`);
    }
  }
  return problems;
}
