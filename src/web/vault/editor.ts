// The edit page of one document type: the form is rendered by the server from the type's fields;
// here it is filled with the decrypted document, validated with the shared schema, sealed and
// saved. A stale version (edited in another tab meanwhile) shows the server's conflict message
// and keeps what the holder typed.
import { DOCUMENT_LABELS, expiredOn, isIdentityDocument, validateDocument, type DocumentType, type FieldProblem } from "../../documents/index.js";
import { ApiError } from "../_api.js";
import { countryChoices, countryCode, countryName, dateExample } from "../_locale.js";
import { describeError, FormProblem, onSubmit } from "../_form.js";
import { el, must } from "./dom.js";
import { openDocument, saveDocument, type DocData, type ItemBase } from "./documents.js";
import { liveAttestations, setupEmailVerification } from "./email.js";
import { showReported } from "./reported.js";
import { returnPath, linkBack } from "./return-to.js";
import { setupSlots } from "./slots.js";
import { loadOverview, type ItemEnvelope } from "./transport.js";
import { vaultKey } from "./unlock.js";
import { renderVerifyPanel } from "./verify-panel.js";
import { describeVerification, itemVerification, loadCredentials, loadSubmissions, loadVerifiers, reasonTarget, saveDropsVerification, type ItemVerification } from "./verification.js";

/** The document's own inputs (not the code input of the email step). */
const docInputs = (form: HTMLFormElement) => [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-doc]")];

function fill(form: HTMLFormElement, data: DocData): void {
  for (const input of docInputs(form)) {
    const v = data[input.name];
    if (typeof v !== "string") continue;
    input.value = input.dataset.country !== undefined ? countryName(v) : v;
    // Native-script names sit in a collapsed section: open it when it holds something.
    input.closest("details")?.setAttribute("open", "");
  }
}

/**
 * The form as document data, and what the page itself can tell is wrong: a country name that is
 * no country (stored as its code, never guessed), a date the picker holds only in part.
 */
function read(form: HTMLFormElement): { data: DocData; problems: FieldProblem[] } {
  const data: DocData = {};
  const problems: FieldProblem[] = [];
  for (const input of docInputs(form)) {
    data[input.name] = input.value;
    if (input.dataset.country !== undefined && input.value.trim()) {
      const code = countryCode(input.value);
      if (code) data[input.name] = code;
      else problems.push({ field: input.name, message: `“${input.value.trim()}” is not a country we know: type its name and pick it from the list.` });
    }
    if (input instanceof HTMLInputElement && input.type === "date" && input.validity.badInput) {
      problems.push({ field: input.name, message: `is not a complete date: enter day, month and year, e.g. ${dateExample()}.` });
    }
  }
  return { data, problems };
}

/** The shared schema speaks of ISO dates; beside a date picker, say it as the picker shows dates. */
function inWords(form: HTMLFormElement, p: FieldProblem): FieldProblem {
  const input = form.querySelector<HTMLInputElement>(`input[type=date][name="${CSS.escape(p.field)}"]`);
  if (!input || !/real date/.test(p.message)) return p;
  return { ...p, message: input.value ? `must be a real date, e.g. ${dateExample()}` : "is required" };
}

/** The suggestions of the country fields: every country's name in the browser's language. */
function fillCountryList(): void {
  const list = document.querySelector("#countries");
  if (!list) return;
  list.replaceChildren(...countryChoices().map((c) => Object.assign(document.createElement("option"), { value: c.name })));
}

function clearProblems(form: HTMLFormElement): void {
  form.querySelectorAll<HTMLElement>(".field-error").forEach((e) => {
    e.hidden = true;
    e.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
}

/** Shows each problem beside its field ("front_side.mime" belongs to the front side slot). */
function markProblems(form: HTMLFormElement, problems: FieldProblem[]): void {
  for (const p of problems) {
    const name = p.field.split(".")[0]!;
    const target = form.querySelector<HTMLElement>(`#error-${CSS.escape(name)}`);
    if (!target) throw new FormProblem(`${p.field}: ${p.message}`);
    target.textContent = target.textContent ? `${target.textContent} ${p.message}` : p.message;
    target.hidden = false;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    input?.setAttribute("aria-invalid", "true");
    input?.closest("details")?.setAttribute("open", "");
  }
  form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
}

/** A relying party's reports: listed on top, and beside the field each one names. */
function showReports(form: HTMLFormElement, item: ItemEnvelope | undefined): void {
  const errors = item?.errors ?? [];
  showReported(must<HTMLElement>(form, "#reported-errors"), errors);
  const onFields = errors.filter((e) => e.field && form.querySelector(`#error-${CSS.escape(e.field)}`));
  if (onFields.length) markProblems(form, onFields.map((e) => ({ field: e.field!, message: `${e.source}: ${e.message}` })));
}

/** A verifier's reasons for rejecting the item, beside the fields and scans they name. */
function showRejection(form: HTMLFormElement, state: ItemVerification): void {
  if (state.kind !== "rejected" || state.outdated) return;
  const who = state.submission.verifier.name;
  const placed = state.reasons.flatMap((r) => {
    const target = reasonTarget(r);
    return target && form.querySelector(`#error-${CSS.escape(target)}`) ? [{ field: target, message: `${who}: ${r.message}` }] : [];
  });
  if (placed.length) markProblems(form, placed);
}

/**
 * Saving makes a new version, and a verification covers the version the verifier saw: saving
 * drops it (or makes a waiting submission moot). The first Save says so and becomes "Save
 * anyway", as for an expired document. Returns true when the save may go on.
 */
function verificationChecked(form: HTMLFormElement, type: DocumentType, state: ItemVerification, verified: boolean, acknowledged: { done: boolean }): boolean {
  const note = must<HTMLElement>(form, "#verification-warning");
  if (acknowledged.done || (!saveDropsVerification(state) && !verified)) return true;
  acknowledged.done = true;
  const doc = `your ${DOCUMENT_LABELS[type].toLowerCase()}`;
  note.textContent =
    state.kind === "submitted"
      ? `${state.submission.verifier.name} is reviewing ${doc} as it was sent. Saving a change now means that review will not count: you would have to submit it again. Save anyway, or cancel.`
      : `${describeVerification(state) || "This document is verified"}. Saving a change drops that verification, since what was verified is the old content; you can submit it again afterwards. Save anyway, or cancel.`;
  note.hidden = false;
  must<HTMLButtonElement>(form, "button[type=submit]").textContent = "Save anyway";
  note.focus();
  return false;
}

/** Re-saving an unchanged, verified address keeps its attestation (and so its badge) while it is valid. */
function keptAttestation(before: DocData, after: DocData): string[] {
  const previous = Array.isArray(before.attestations) ? (before.attestations as string[]) : [];
  return before.email === after.email ? liveAttestations(previous) : [];
}

/**
 * An expired document may be saved (the holder may have nothing newer yet), but not unawares: the
 * first Save says so and the button becomes "Save anyway". Returns true when the save may go on.
 */
function expiryChecked(form: HTMLFormElement, data: DocData, acknowledged: { date: string | null }): boolean {
  const note = must<HTMLElement>(form, "#expiry-warning");
  const button = must<HTMLButtonElement>(form, "button[type=submit]");
  const on = expiredOn(data);
  note.hidden = !on;
  if (!on) {
    acknowledged.date = null;
    button.textContent = "Save";
    return true;
  }
  if (acknowledged.date === on) return true;
  acknowledged.date = on;
  note.textContent = `This document expired on ${on}. Apps that need a valid document may refuse it. Save it anyway, or enter the new document's details.`;
  button.textContent = "Save anyway";
  note.focus();
  return false;
}

export async function showEditor(form: HTMLFormElement): Promise<void> {
  const type = form.dataset.type as DocumentType;
  const key = await vaultKey();
  const overview = await loadOverview();
  const item = overview.items.find((i) => i.type === type);
  const base: ItemBase = item ? { id: item.id, version: item.version } : { id: crypto.randomUUID(), version: 0 };
  const before = item ? await openDocument(key, item) : {};
  fillCountryList();
  fill(form, before);
  showReports(form, item);
  const slots = setupSlots(form, key, overview.maxFileBytes, before, item?.files ?? []);
  const back = returnPath(location.search, location.origin);
  if (back) linkBack(back);

  // Verification: the email item has its own (a code by mail); every other type may go to a verifier.
  let state: ItemVerification = { kind: "none" };
  if (type !== "email") {
    try {
      const pdItem = isIdentityDocument(type) ? overview.items.find((i) => i.type === "personal_details") : undefined;
      const personalDetails = pdItem ? { item: pdItem, data: await openDocument(key, pdItem) } : undefined;
      const verifiers = await loadVerifiers();
      const load = async () => {
        const [submissions, credentials] = await Promise.all([loadSubmissions(), loadCredentials()]);
        state = item ? itemVerification(item, submissions, credentials) : { kind: "none" };
      };
      const draw = (): void => renderVerifyPanel({ vaultKey: key, type, item, data: before, personalDetails, state, verifiers, reload: () => load().then(draw) });
      await load();
      showRejection(form, state);
      draw();
    } catch (err) {
      // The document can still be edited; the panel says why it has nothing to show.
      const panel = must<HTMLElement>(document, "#verify");
      must(panel, "#verify-state").replaceChildren(el("span", { class: "error" }, `Verification could not be loaded: ${describeError(err)}`));
      panel.hidden = false;
    }
  }
  form.hidden = false;

  // Opened to get the document verified (?verifier=, from a consent page) before it existed: once
  // saved, the same page again, where the panel opens with that verifier.
  const toVerify = !item && type !== "email" && new URLSearchParams(location.search).has("verifier");
  const save = async (data: DocData, attestation?: string) => {
    await saveDocument(key, type, base, data, attestation);
    location.assign(toVerify ? `/vault/${type}${location.search}` : (back ?? `/vault#doc-${type}`));
  };

  if (type === "email") {
    setupEmailVerification(form, (p) => markProblems(form, p), (email, attestation) => save({ email, attestations: [attestation] }, attestation));
  }

  const acknowledged = { date: null as string | null };
  const dropAcknowledged = { done: false };
  onSubmit(form, async () => {
    clearProblems(form);
    await slots.idle();
    const typed = read(form);
    const result = validateDocument(type, { ...typed.data, ...slots.values() });
    // The page's own findings replace the schema's for the same field (it would only say "invalid").
    const own = [...typed.problems, ...slots.problems()];
    const problems = [...own, ...(result.ok ? [] : result.problems.filter((p) => !own.some((o) => o.field === p.field.split(".")[0])).map((p) => inWords(form, p)))];
    if (!result.ok || problems.length) {
      markProblems(form, problems);
      throw new FormProblem(slots.problems().length ? "A file was not added: choose another one, or save without it." : "Check the marked fields.");
    }
    const data = result.data;
    if (!expiryChecked(form, data, acknowledged)) return;
    if (type !== "email" && !verificationChecked(form, type, state, item?.verification === "verified", dropAcknowledged)) return;
    if (type === "email") {
      const kept = keptAttestation(before, data);
      if (kept.length) {
        return save({ ...data, attestations: kept }, kept.at(-1)).catch(async (err: unknown) => {
          // One the server no longer accepts (e.g. signed by a key rotated out since): save unverified.
          if (err instanceof ApiError && err.fields.attestation) return save(data);
          throw err;
        });
      }
    }
    await save(data);
  });
}
