// The console of one verifier (/verifier/<slug>): unlock the vault, open (or, first member, make)
// the verifier's keys, share them with members waiting for them, list the queue and open one
// submission to approve or reject it, or revoke what was issued. The URL names the queue tab and
// the open submission, so a reload shows the same thing.
import { DOCUMENT_LABELS, isIdentityDocument, type DocumentType } from "../../documents/index.js";
import { FormProblem, onSubmit } from "../_form.js";
import { explain } from "./explain.js";
import { el, must, timeElement } from "../vault/dom.js";
import { LOCKED_TEXT, vaultKey } from "../vault/unlock.js";
import { listSubmissions, loadConsole, loadSubmission, reject, type ConsoleView, type IssuedCredential, type SubmissionDetail } from "./api.js";
import { holderKeys } from "../_holder-keys.js";
import { approveSubmission } from "./issue.js";
import { shareWith, verifierKeys, type VerifierKeys } from "./keys.js";
import { openSubmission, type OpenedItem } from "./opened.js";
import { setupReasons } from "./reasons.js";
import { renderItem } from "./render.js";
import { revokeCredential } from "./revoke.js";

const STATES = ["submitted", "approved", "rejected"];
const typeLabel = (t: string) => DOCUMENT_LABELS[t as DocumentType] ?? t;
const status = () => must<HTMLElement>(document, "#console-status");

function say(text: string): void {
  status().textContent = text;
}

function queueUrl(state: string, submission?: string): string {
  const q = new URLSearchParams({ state });
  if (submission) q.set("submission", submission);
  return `?${q}`;
}

function renderKeys(slug: string, view: ConsoleView, keys: VerifierKeys | null, made: boolean): void {
  const state = must<HTMLElement>(document, "#keys-state");
  if (!keys) {
    state.textContent = "The verifier's keys have not been shared with you yet. Any member who has them can share them from this page; until then you cannot open submissions.";
    return;
  }
  state.textContent = made
    ? "You made the verifier's keys just now, in this browser. Their private halves are sealed to your own key; share them with other members below."
    : "The verifier's keys are open in this browser.";
  const list = must<HTMLElement>(document, "#waiting-list");
  must<HTMLElement>(document, "#waiting").hidden = view.waiting.length === 0;
  list.replaceChildren(
    ...view.waiting.map((m) => {
      const button = el("button", { type: "button", class: "primary" }, "Share keys");
      const note = el("span", { class: "small", role: "status" });
      const row = el("li", { "data-account": m.accountId }, el("div", {}, el("strong", {}, m.email)), el("div", {}, button, note));
      button.addEventListener("click", () => {
        button.disabled = true;
        shareWith(slug, keys, m)
          .then(() => {
            button.remove();
            note.className = "small ok";
            note.textContent = `Shared with ${m.email}.`;
            row.dataset.shared = "";
          })
          .catch((err) => {
            button.disabled = false;
            note.className = "small error";
            note.textContent = explain(err);
          });
      });
      return row;
    }),
  );
}

async function renderQueue(slug: string, view: ConsoleView, state: string, open: string | null): Promise<void> {
  must<HTMLElement>(document, "#queue").hidden = false;
  document.querySelectorAll<HTMLAnchorElement>("#queue nav a").forEach((a) => {
    const s = a.dataset.state!;
    a.href = queueUrl(s);
    if (s === state) a.setAttribute("aria-current", "page");
    const n = view.counts[s];
    must(a, ".count").textContent = n === undefined ? "" : `(${n})`;
  });
  const subs = await listSubmissions(slug, state);
  must<HTMLElement>(document, "#queue-empty").hidden = subs.length > 0;
  must<HTMLElement>(document, "#queue-list").replaceChildren(
    ...subs.map((s) =>
      el(
        "li",
        { "data-submission": s.id, ...(s.id === open ? { "aria-current": "true" } : {}) },
        el("div", {}, el("strong", {}, s.items.map((i) => typeLabel(i.type)).join(", ")), el("span", { class: "small muted" }, "Submitted ", timeElement(s.createdAt))),
        el("a", { class: "button", href: queueUrl(state, s.id) }, s.id === open ? "Open now" : "Open"),
      ),
    ),
  );
}

function setupApprove(slug: string, view: ConsoleView, keys: VerifierKeys, s: SubmissionDetail, items: OpenedItem[]): void {
  const form = must<HTMLFormElement>(document, "#approve-form");
  form.hidden = false;
  const method = must<HTMLSelectElement>(form, "select[name=method]");
  method.replaceChildren(...view.verifier.evidenceMethods.map((m) => el("option", { value: m }, m)));
  // Valid until the identity document expires, or a year from now where nothing expires.
  const expiries = items.map((i) => i.fields.expiry_date).filter((d): d is string => typeof d === "string" && !!d).sort();
  const yearAhead = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const validUntil = must<HTMLInputElement>(form, "input[name=valid_until]");
  validUntil.value = expiries[0] ?? yearAhead;
  validUntil.min = new Date().toISOString().slice(0, 10);
  if (expiries[0]) validUntil.max = expiries[0];
  must(form, "#valid-until-hint").textContent = expiries[0] ? "At most until the document expires." : "The documents carry no expiry date.";
  // The issuing country of each identity document (the documents do not hold it): the holder's
  // citizenship from submitted personal details is the likely answer.
  const citizenship = items.find((i) => i.type === "personal_details")?.fields.country_code;
  must(form, "#approve-countries").replaceChildren(
    ...items
      .filter((i) => isIdentityDocument(i.type))
      .map((i) =>
        el(
          "label",
          {},
          `Issuing country of the ${typeLabel(i.type).toLowerCase()} `,
          el("small", { class: "muted" }, "Two letters, ISO 3166 (e.g. DE)"),
          el("input", { type: "text", name: `country-${i.itemId}`, class: "country", maxlength: "2", required: true, autocomplete: "off", value: typeof citizenship === "string" ? citizenship : "" }),
        ),
      ),
  );
  onSubmit(form, async () => {
    const countries: Record<string, string> = {};
    for (const i of items.filter((x) => isIdentityDocument(x.type))) {
      const input = must<HTMLInputElement>(form, `input[name="country-${i.itemId}"]`);
      const code = input.value.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(code)) {
        input.focus();
        throw new FormProblem(`Enter the issuing country of the ${typeLabel(i.type).toLowerCase()} as two letters.`);
      }
      countries[i.itemId] = code;
    }
    if (!validUntil.value || validUntil.validity.rangeUnderflow || validUntil.validity.rangeOverflow || validUntil.validity.badInput) {
      validUntil.focus();
      throw new FormProblem(expiries[0] ? "Valid until must be a date from today until the document's expiry." : "Valid until must be a date from today on.");
    }
    say("Signing and sealing the credentials…");
    await approveSubmission(slug, document.body.dataset.passportIssuer!, view.verifier, keys, s, items, { method: method.value, validUntil: validUntil.value, countries });
    location.assign(queueUrl("approved", s.id));
  });
}

function setupReject(slug: string, s: SubmissionDetail, items: OpenedItem[]): void {
  const form = must<HTMLFormElement>(document, "#reject-form");
  form.hidden = false;
  const reasons = setupReasons(form, items);
  onSubmit(form, async () => {
    await reject(slug, s.id, reasons.read());
    location.assign(queueUrl("rejected", s.id));
  });
}

function renderIssued(slug: string, keys: VerifierKeys, list: IssuedCredential[], itemType: (id: string) => string): void {
  must<HTMLElement>(document, "#issued").hidden = list.length === 0;
  must<HTMLElement>(document, "#issued-list").replaceChildren(
    ...list.map((c) => {
      const note = el("span", { class: "small", role: "status" });
      const row = el(
        "li",
        { "data-credential": c.id, ...(c.revokedAt ? { "data-revoked": "" } : {}) },
        el("div", {}, el("strong", {}, typeLabel(c.docType ?? itemType(c.itemId))), el("span", { class: "small muted" }, "Valid until ", timeElement(c.expiresAt), ` · status entry ${c.statusIndex}`)),
        el("div", {}, c.revokedAt ? el("span", { class: "badge off" }, "revoked") : "", note),
      );
      if (!c.revokedAt) {
        const button = el("button", { type: "button", class: "danger" }, "Revoke");
        row.lastElementChild!.prepend(button);
        button.addEventListener("click", () => {
          button.disabled = true;
          note.textContent = "Revoking…";
          revokeCredential(slug, keys, c)
            .then(() => {
              button.replaceWith(el("span", { class: "badge off" }, "revoked"));
              note.textContent = "";
              row.dataset.revoked = "";
            })
            .catch((err) => {
              button.disabled = false;
              note.className = "small error";
              note.textContent = explain(err);
            });
        });
      }
      return row;
    }),
  );
}

async function showSubmission(slug: string, view: ConsoleView, keys: VerifierKeys, id: string): Promise<void> {
  const section = must<HTMLElement>(document, "#submission");
  section.hidden = false;
  const s = await loadSubmission(slug, id);
  const opened = await openSubmission(keys.encryptionKey, s);
  const items = opened.items;
  must(section, "#submission-title").textContent = `${items.map((i) => typeLabel(i.type)).join(", ")}: ${s.state}`;
  must(section, "#submission-meta").replaceChildren("Submitted ", timeElement(s.createdAt), ...(s.decidedAt ? [" · decided ", timeElement(s.decidedAt)] : []));
  // Scans are shared with the verifier only while the submission waits for a decision.
  const open = s.state === "submitted";
  must(section, "#submission-items").replaceChildren(...items.map((i) => renderItem(slug, s.id, i, open)));
  if (open) {
    setupApprove(slug, view, keys, { ...s, holderSigningJwk: opened.holderSigningJwk }, items);
    setupReject(slug, s, items);
  }
  renderIssued(slug, keys, s.credentials ?? [], (itemId) => items.find((i) => i.itemId === itemId)?.type ?? "");
  const reasons = s.reasons ?? [];
  must<HTMLElement>(section, "#decided-reasons").hidden = reasons.length === 0;
  must(section, "#decided-reasons-list").replaceChildren(
    ...reasons.map((r) => el("li", {}, el("strong", {}, typeLabel(r.itemType)), ` · ${r.kind}${r.field ? ` (${r.field})` : ""}: ${r.message}`)),
  );
  section.dataset.ready = "";
  must<HTMLElement>(section, "#submission-title").focus();
}

export async function showConsole(): Promise<void> {
  const { slug } = document.body.dataset as { slug: string };
  const key = await vaultKey(() => say(LOCKED_TEXT));
  say("Opening the verifier's keys…");
  // The member's own holder keys (made now if the account has none): they open the verifier's.
  const holder = await holderKeys(key);
  const opened = await verifierKeys(slug, document.body.dataset.passportIssuer!, await loadConsole(slug), holder);
  const root = must<HTMLElement>(document, "#console");
  root.hidden = false;
  renderKeys(slug, opened.view, opened.keys, opened.made);
  if (opened.keys) {
    const q = new URLSearchParams(location.search);
    const state = STATES.includes(q.get("state") ?? "") ? q.get("state")! : "submitted";
    const open = q.get("submission");
    await renderQueue(slug, opened.view, state, open);
    if (open) await showSubmission(slug, opened.view, opened.keys, open);
  }
  say("");
  root.dataset.ready = "";
}
