// One request entry on the consent page: which document answers it (a choice among the holder's
// documents for "one of" requests), what of it the client will read, with the values and scans
// decrypted here, its verification state and reported problems, and the optional parts.
import { expiredOn, type DocumentType, type ScanRef } from "../../documents/index.js";
import type { EntryChoice } from "../../sharing/compose.js";
import { fieldsToShare, type RequestEntry } from "../../sharing/request.js";
import { verifiersMeeting } from "../../sharing/verified.js";
import type { DocData } from "../vault/documents.js";
import { el } from "../vault/dom.js";
import { inLocale } from "../_locale.js";
import { showReported } from "../vault/reported.js";
import { availableTypes, editLink, standing, type ConsentContext, type Held } from "./load.js";
import { askedParts } from "./parts.js";
import { scanTile } from "./previews.js";
import { entryTitle, fieldLabel, isScanField, listWords, SCAN_WORDS, typeLabel, yourType } from "./words.js";

export interface EntryDeps {
  ctx: ConsentContext;
  choices: Map<string, EntryChoice>;
  /** Called after the holder changed a choice; the page redraws. */
  changed: () => void;
}

const SCAN_LABELS: Record<string, string> = { front_side: "Front side", reverse_side: "Reverse side", selfie: "Selfie", translation: "Translation", files: "File" };

const hasValue = (v: unknown) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);

/** "verified by KYC desk" (meets the request's standard), "verified", or "not verified". */
function badge(ctx: ConsentContext, type: DocumentType): HTMLElement {
  const s = standing(ctx, type);
  if (s.credential) {
    const v = s.credential.meta.verification;
    return el("span", { class: "badge on", title: `under ${v.trust_framework}${v.assurance_level ? `, ${v.assurance_level}` : ""}` }, `verified by ${s.credential.meta.verifier.name}`);
  }
  // Verified, but not (or not provably here) to this request's standard: notVerified() says why.
  const flagged = s.legacy || ctx.held.get(type)?.item.verification === "verified";
  return el("span", { class: flagged ? "badge on" : "badge" }, flagged ? "verified" : "not verified");
}

/**
 * For a document that does not meet the request's standard: why, and the verifiers that would
 * meet it (their "Get verified" panel in the vault, coming back here afterwards).
 */
function notVerified(d: EntryDeps, type: DocumentType): HTMLElement | null {
  const { request } = d.ctx.consent;
  const s = standing(d.ctx, type);
  if (!request.verifiedOnly || s.credential || s.legacy) return null;
  const verifiers = verifiersMeeting(d.ctx.verified.verifiers, type, request.verification);
  const back = encodeURIComponent(`/interaction/${d.ctx.uid}`);
  return el(
    "div",
    { class: "consent-unverified", "data-type": type },
    el("p", {}, `${d.ctx.consent.client.name} accepts this only verified to its standard, and ${s.why}.`),
    verifiers.length
      ? el(
          "p",
          { class: "consent-verifiers" },
          "Get it verified by: ",
          ...verifiers.flatMap((v, i) => [i ? " · " : "", el("a", { href: `/vault/${type}?verifier=${encodeURIComponent(v.slug)}&return=${back}`, "data-verifier": v.slug }, v.name)]),
        )
      : el("p", { class: "small muted" }, "No verifier here checks it to this standard yet."),
  );
}

/** An "expired" badge for a document whose expiry date has passed (the holder's calendar). */
function expiredBadge(held: Held): HTMLElement | null {
  const on = held.data ? expiredOn(held.data) : null;
  return on ? el("span", { class: "badge off badge-expired", title: `Expired on ${on}` }, "expired") : null;
}

function addLink(ctx: ConsentContext, type: string, text = `Add ${yourType(type)}`, primary = false): HTMLAnchorElement {
  return el("a", { class: primary ? "button primary consent-add" : "consent-add", href: editLink(ctx, type), "data-type": type }, text);
}

/** Radio buttons among the types the holder has, for "one of" entries. */
function picker(d: EntryDeps, entry: RequestEntry, choice: EntryChoice): HTMLElement | null {
  const have = entry.types.filter((t) => availableTypes(d.ctx).has(t));
  if (entry.types.length < 2 || !have.length) return null;
  const box = el("fieldset", { class: "consent-pick" }, el("legend", {}, "Which one to share"));
  for (const type of have) {
    const id = `pick-${entry.key}-${type}`;
    const input = el("input", { type: "radio", name: `pick-${entry.key}`, value: type, id, checked: choice.type === type });
    input.addEventListener("change", () => {
      choice.type = type;
      d.changed();
    });
    box.append(el("label", { class: "check", for: id }, input, typeLabel(type), " ", badge(d.ctx, type), " ", expiredBadge(d.ctx.held.get(type)!)));
  }
  const others = entry.types.filter((t) => !have.includes(t));
  if (others.length) {
    const links = others.flatMap((t, i) => [i ? " · " : "", addLink(d.ctx, t, typeLabel(t))]);
    box.append(el("p", { class: "small muted consent-more" }, "Or add another: ", ...links));
  }
  return box;
}

/** Nothing to share for this entry yet: say so and offer the editor for each type. */
function missing(d: EntryDeps, entry: RequestEntry): HTMLElement {
  const text = entry.types.length === 1 ? `You have not added ${yourType(entry.types[0]!)} to your vault yet.` : "You have none of these in your vault yet. Add one:";
  return el(
    "div",
    { class: "consent-missing" },
    el("p", {}, text),
    el("p", { class: "consent-add-links" }, ...entry.types.map((t) => addLink(d.ctx, t, `Add ${yourType(t)}`, true))),
  );
}

/** Reported errors and what the shared schema finds wrong, with a way to fix them. */
function problems(d: EntryDeps, type: DocumentType, held: Held): HTMLElement | null {
  if (!held.item.errors.length && !held.problems.length) return null;
  const reported = el("ul", { class: "doc-errors" });
  showReported(reported, held.item.errors);
  const own = held.problems.map((p) => el("li", {}, p));
  return el(
    "div",
    { class: "consent-problems-item" },
    reported,
    own.length ? el("ul", { class: "doc-errors" }, ...own) : null,
    el("p", { class: "small" }, addLink(d.ctx, type, `Fix ${yourType(type)}`)),
  );
}

function scansList(d: EntryDeps, held: Held, data: DocData, fields: string[]): HTMLElement | null {
  const tiles = fields.flatMap((f) => {
    const v = data[f];
    const refs = (Array.isArray(v) ? v : [v]) as ScanRef[];
    return refs.map((ref, i) => scanTile(d.ctx.key, held.item.files, ref, refs.length > 1 || Array.isArray(v) ? `${SCAN_LABELS[f]} ${i + 1}` : SCAN_LABELS[f]!, f));
  });
  return tiles.length ? el("ul", { class: "doc-scans" }, ...tiles) : null;
}

/** Checkboxes for the optional parts; required ones stay ticked. A part the document lacks gets a link to add it. */
function partsList(d: EntryDeps, entry: RequestEntry, type: DocumentType, data: DocData, choice: EntryChoice): HTMLElement | null {
  const rows = askedParts(entry, type).map(({ part, want }) => {
    const tag = el("span", { class: want === "required" ? "tag required" : "tag" }, want);
    if (!part.present(data)) {
      return el("li", { class: "consent-part absent" }, `${d.ctx.consent.client.name} asks for ${part.words}, and ${yourType(type)} has none. `, addLink(d.ctx, type, `Add ${part.pronoun}`), " ", tag);
    }
    const id = `part-${entry.key}-${part.name}`;
    const box = el("input", { type: "checkbox", id, name: part.name, checked: choice[part.name], disabled: want === "required" });
    box.addEventListener("change", () => {
      choice[part.name] = box.checked;
      d.changed();
    });
    return el("li", { class: "consent-part" }, el("label", { class: "check", for: id }, box, `Include ${part.words}`, " ", tag));
  });
  return rows.length ? el("ul", { class: "consent-parts" }, ...rows) : null;
}

function itemHead(d: EntryDeps, type: DocumentType, held: Held, level: "h2" | "h3", title = typeLabel(type)): HTMLElement {
  const cls = level === "h2" ? "consent-item-head consent-entry-head" : "consent-item-head";
  return el("div", { class: cls }, el(level, {}, title), badge(d.ctx, type), expiredBadge(held), el("a", { class: "small", href: editLink(d.ctx, type) }, "Edit"));
}

/** The chosen document: what the client will read, the values and scans, and the choices. */
function chosen(d: EntryDeps, entry: RequestEntry, type: DocumentType, choice: EntryChoice): HTMLElement {
  const oneOf = entry.types.length > 1;
  const held = d.ctx.held.get(type)!;
  const data = held.data!;
  const asked = fieldsToShare(type, entry.options, choice).filter((f) => hasValue(data[f]));
  const verified = standing(d.ctx, type).credential;
  const withheld = new Set(choice.withheld ?? []);
  const fields = asked.filter((f) => !withheld.has(f) || entry.options.essential.includes(f));
  const plain = fields.filter((f) => !isScanField(f));
  const scans = fields.filter(isScanField);
  const values = verified
    ? disclosures(d, entry, type, asked.filter((f) => !isScanField(f)), data, choice)
    : plain.length
      ? el("dl", { class: "doc-fields" }, ...plain.flatMap((f) => [el("dt", {}, fieldLabel(type, f)), el("dd", {}, inLocale(f, String(data[f])))]))
      : null;
  const words = [...plain.map((f) => fieldLabel(type, f).toLowerCase()), ...scans.map((f) => SCAN_WORDS[f]!)];
  const reads = words.length ? `${listWords(words)}.` : "nothing from this document.";
  return el(
    "div",
    { class: "consent-item", "data-type": type },
    // A single-type entry's heading already names the document and carries its badge.
    oneOf ? itemHead(d, type, held, "h3") : null,
    problems(d, type, held),
    notVerified(d, type),
    el("p", { class: "consent-reads" }, el("strong", {}, `${d.ctx.consent.client.name} will be able to read: `), reads),
    values,
    scansList(d, held, data, scans),
    partsList(d, entry, type, data, choice),
  );
}

/**
 * A verified document's fields as checkboxes: each ticked one goes with the verifier's attestation
 * of it (a selective disclosure); the ones the client asked for as essential stay ticked.
 */
function disclosures(d: EntryDeps, entry: RequestEntry, type: DocumentType, fields: string[], data: DocData, choice: EntryChoice): HTMLElement | null {
  if (!fields.length) return null;
  const rows = fields.map((f) => {
    const id = `disclose-${entry.key}-${f}`;
    const essential = entry.options.essential.includes(f);
    const box = el("input", { type: "checkbox", id, name: f, checked: essential || !(choice.withheld ?? []).includes(f), disabled: essential });
    box.addEventListener("change", () => {
      const rest = (choice.withheld ?? []).filter((x) => x !== f);
      choice.withheld = box.checked ? rest : [...rest, f];
      d.changed();
    });
    return el(
      "li",
      { class: "consent-disclose" },
      el("label", { class: "check", for: id }, box, el("span", {}, `${fieldLabel(type, f)}: `, el("strong", {}, inLocale(f, String(data[f])))), essential ? el("span", { class: "tag required" }, "required") : null),
    );
  });
  return el("fieldset", { class: "consent-disclosures" }, el("legend", { class: "small" }, "Verified fields to share (untick to leave one out)"), el("ul", { class: "plain" }, ...rows));
}

/** Documents of this entry's types that are in the vault but could not be opened. */
function unreadable(d: EntryDeps, entry: RequestEntry): HTMLElement | null {
  const broken = entry.types.filter((t) => d.ctx.held.get(t) && !d.ctx.held.get(t)!.data);
  if (!broken.length) return null;
  return el(
    "ul",
    { class: "doc-errors" },
    ...broken.map((t) => el("li", {}, `${typeLabel(t)}: ${d.ctx.held.get(t)!.problems.join(" ")} `, addLink(d.ctx, t, "Fix"))),
  );
}

export function renderEntry(d: EntryDeps, entry: RequestEntry): HTMLElement {
  const choice = d.choices.get(entry.key)!;
  return el(
    "section",
    { class: "card consent-entry", "data-key": entry.key },
    entry.types.length === 1 && choice.type ? itemHead(d, choice.type, d.ctx.held.get(choice.type)!, "h2", entryTitle(entry)) : el("h2", {}, entryTitle(entry)),
    picker(d, entry, choice),
    unreadable(d, entry),
    choice.type ? chosen(d, entry, choice.type, choice) : missing(d, entry),
  );
}
