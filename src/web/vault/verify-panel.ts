// The "Get verified" panel of an item's page: where the item stands with verifiers (waiting, with
// withdraw; verified until D; rejected with reasons; revoked; expired), and the form that sends
// it: choose a verifier that accepts the type, see what will be sent, send. /vault/<type>?verifier=
// <slug> opens the form with that verifier chosen (the consent page links there).
import { DOCUMENT_LABELS, isIdentityDocument, type DocumentType } from "../../documents/index.js";
import { holderKeys } from "../_holder-keys.js";
import { describeError, FormProblem, onSubmit } from "../_form.js";
import { el, must } from "./dom.js";
import { scansOf, type DocData } from "./documents.js";
import { submitToVerifier } from "./submission.js";
import { summarize } from "./summary.js";
import type { ItemEnvelope } from "./transport.js";
import {
  describeVerification,
  standardOf,
  verifiersFor,
  withdrawSubmission,
  type ItemVerification,
  type RejectionReason,
  type VerifierInfo,
} from "./verification.js";

export interface PanelContext {
  vaultKey: CryptoKey;
  type: DocumentType;
  /** The saved item (undefined: nothing saved yet, nothing to send). */
  item: ItemEnvelope | undefined;
  data: DocData;
  /** The holder's personal details, when saved: offered along with an identity document. */
  personalDetails: { item: ItemEnvelope; data: DocData } | undefined;
  state: ItemVerification;
  verifiers: VerifierInfo[];
  /** Loads the state again after a change (a submission sent or withdrawn) and calls render again. */
  reload: () => Promise<void>;
}

const label = (type: string) => DOCUMENT_LABELS[type as DocumentType] ?? type.replace(/_/g, " ");

/** What the verifier gets of one item: its values and the names of its scans. */
function whatIsSent(type: string, data: DocData): HTMLLIElement {
  const rows = summarize(type as DocumentType, data).map(([k, v]) => `${k}: ${v}`);
  const scans = scansOf(data).map((s) => s.label.toLowerCase());
  const parts = [...rows, ...(scans.length ? [`scans: ${scans.join(", ")}`] : [])];
  return el("li", { "data-type": type }, el("strong", {}, label(type)), parts.length ? ` (${parts.join("; ")})` : "");
}

function verifierChoice(v: VerifierInfo, checked: boolean): HTMLLabelElement {
  const methods = v.evidence_methods.length ? ` · checks: ${v.evidence_methods.join(", ")}` : "";
  const input = el("input", { type: "radio", name: "verifier", value: v.slug, checked });
  return el("label", { class: "check verifier-choice" }, input, el("span", {}, el("strong", {}, v.name), el("span", { class: "small muted" }, ` ${standardOf(v)}${methods}`)));
}

let wired = false;
let current: PanelContext;

/** Draws the panel for `ctx`; the buttons' handlers are attached once and read the newest context. */
export function renderVerifyPanel(ctx: PanelContext): void {
  current = ctx;
  const panel = must<HTMLElement>(document, "#verify");
  const stateLine = must<HTMLElement>(panel, "#verify-state");
  const start = must<HTMLButtonElement>(panel, "#verify-start");
  const withdraw = must<HTMLButtonElement>(panel, "#verify-withdraw");
  const form = must<HTMLFormElement>(panel, "#verify-form");
  panel.hidden = false;
  panel.dataset.state = ctx.state.kind;
  form.hidden = true;
  showReasons(must(panel, "#verify-reasons"), ctx.state);

  if (!ctx.item) {
    stateLine.textContent = "Save this document first; then you can have it verified.";
    start.hidden = withdraw.hidden = true;
    return;
  }
  const accepting = verifiersFor(ctx.verifiers, ctx.type);
  stateLine.textContent = describeVerification(ctx.state) || (accepting.length ? "Not verified yet." : `Not verified. No verifier accepts ${label(ctx.type).toLowerCase()} yet.`);
  withdraw.hidden = ctx.state.kind !== "submitted";
  start.hidden = ctx.state.kind === "submitted" || ctx.state.kind === "approved" || accepting.length === 0;
  start.textContent = ctx.state.kind === "none" ? "Get verified" : "Submit again";

  if (!wired) {
    wired = true;
    start.addEventListener("click", () => openForm(null));
    must(panel, "#verify-cancel").addEventListener("click", () => {
      form.hidden = true;
      start.hidden = false;
      start.focus();
    });
    withdraw.addEventListener("click", () => {
      if (current.state.kind !== "submitted") return;
      withdraw.disabled = true;
      withdrawSubmission(current.state.submission.id)
        .then(() => current.reload())
        .catch((err: unknown) => {
          stateLine.replaceChildren(el("span", { class: "error" }, describeError(err)));
        })
        .finally(() => (withdraw.disabled = false));
    });
    onSubmit(form, send);
    must<HTMLInputElement>(form, "input[name=personal_details]").addEventListener("change", () => fillWhat(form));
    form.addEventListener("change", (ev) => {
      if ((ev.target as HTMLInputElement).name === "verifier") fillWhat(form);
    });
  }
  // The consent page's link names the verifier: open the form with it chosen.
  const asked = new URLSearchParams(location.search).get("verifier");
  if (asked && !start.hidden) openForm(asked);
}

/** "the document number": the field's label on this page (without "(optional)"), else its name. */
function fieldWords(field: string): string {
  const label = document.querySelector(`label[for="f-${CSS.escape(field)}"]`);
  const words = label?.firstChild?.textContent?.trim() || field.replace(/_/g, " ");
  return `the ${words.toLowerCase()}`;
}

function showReasons(list: HTMLElement, s: ItemVerification): void {
  const reasons: RejectionReason[] = s.kind === "rejected" && !s.outdated ? s.reasons : [];
  const who = s.kind === "rejected" ? s.submission.verifier.name : "";
  const about = (r: RejectionReason) => (r.field ? fieldWords(r.field) : r.kind === "unspecified" || r.kind === "data" ? "" : `the ${r.kind.replace(/_/g, " ")}`);
  list.replaceChildren(...reasons.map((r) => el("li", { "data-kind": r.kind }, el("strong", {}, who), about(r) ? ` about ${about(r)}: ` : ": ", r.message)));
  list.hidden = reasons.length === 0;
}

function chosen(form: HTMLFormElement): VerifierInfo | undefined {
  const slug = form.querySelector<HTMLInputElement>("input[name=verifier]:checked")?.value;
  return current.verifiers.find((v) => v.slug === slug);
}

/** Personal details go along only with an identity document, when saved and the verifier takes them. */
function offersPersonalDetails(v: VerifierInfo | undefined): boolean {
  return !!v && isIdentityDocument(current.type) && !!current.personalDetails && v.accepts.includes("personal_details");
}

function fillWhat(form: HTMLFormElement): void {
  const v = chosen(form);
  const pd = must<HTMLElement>(form, "#verify-pd");
  const box = must<HTMLInputElement>(pd, "input[name=personal_details]");
  pd.hidden = !offersPersonalDetails(v);
  const items = [whatIsSent(current.type, current.data)];
  if (!pd.hidden && box.checked && current.personalDetails) items.push(whatIsSent("personal_details", current.personalDetails.data));
  must(form, "#verify-what").replaceChildren(...items);
}

function openForm(slug: string | null): void {
  const form = must<HTMLFormElement>(document, "#verify-form");
  const accepting = verifiersFor(current.verifiers, current.type);
  const pick = slug ? accepting.find((v) => v.slug === slug) : accepting.length === 1 ? accepting[0] : undefined;
  must(form, "#verify-list").replaceChildren(...accepting.map((v) => verifierChoice(v, v === pick)));
  const note = must<HTMLElement>(form, "#verify-note");
  note.hidden = !slug || !!pick;
  note.textContent = slug && !pick ? `The verifier “${slug}” does not take ${label(current.type).toLowerCase()}: choose another.` : "";
  // Identity documents: the personal details go along unless the holder says otherwise.
  must<HTMLInputElement>(form, "input[name=personal_details]").checked = true;
  fillWhat(form);
  form.hidden = false;
  must<HTMLElement>(document, "#verify-start").hidden = true;
  form.scrollIntoView({ block: "nearest" });
  (form.querySelector<HTMLInputElement>("input[name=verifier]:checked") ?? form.querySelector<HTMLInputElement>("input[name=verifier]"))?.focus();
}

async function send(): Promise<void> {
  const form = must<HTMLFormElement>(document, "#verify-form");
  const v = chosen(form);
  if (!v) throw new FormProblem("Choose a verifier.");
  if (!current.item) throw new FormProblem("Save this document first.");
  const items = [current.item];
  if (offersPersonalDetails(v) && current.personalDetails && must<HTMLInputElement>(form, "input[name=personal_details]").checked) items.push(current.personalDetails.item);
  const keys = await holderKeys(current.vaultKey);
  await submitToVerifier(current.vaultKey, v, items, keys.signingJwk);
  // Sent: a reload of the page must not open the form again (the way back to a request stays).
  const params = new URLSearchParams(location.search);
  params.delete("verifier");
  history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}${location.hash}`);
  await current.reload();
}
