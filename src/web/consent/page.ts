// The Passport consent page: draws the request from what this browser decrypted, keeps Allow off
// while something required is missing, and on Allow seals the payload to the client's key and
// posts only the JWE. A consent given before continues by itself after a 5 s countdown (with Cancel),
// still sealing the documents as they are now, unless one of them has expired.
import { composePayload, missingDerived, missingRequired } from "../../sharing/compose.js";
import { constraintWords } from "../../sharing/verification-request.js";
import { renderDerived } from "./derived.js";
import { api } from "../_api.js";
import { describeError } from "../_form.js";
import { el, must } from "../vault/dom.js";
import { LOCKED_TEXT } from "../vault/unlock.js";
import { renderEntry } from "./entry.js";
import { availableTypes, expiredTypes, loadConsent, verifiedTypes, type ConsentContext } from "./load.js";
import { recallChoices, rememberChoices } from "./memory.js";
import { absentRequiredParts } from "./parts.js";
import { listWords, problemInWords, yourType } from "./words.js";

/** "Your passport and your identity card have expired. …" */
function expiredWords(types: string[], clientName: string): string {
  const them = types.length > 1 ? "them" : "it";
  const list = listWords(types.map(yourType));
  return `${list.charAt(0).toUpperCase()}${list.slice(1)} ${types.length > 1 ? "have" : "has"} expired. You can still share ${them}, but ${clientName} may refuse ${them}.`;
}

/** Seconds a remembered consent waits before sharing, so the holder can stop it. */
const REMEMBERED_DELAY_S = 5;

/** "X accepts documents verified only, under eidas, at assurance level high." */
function standardWords(ctx: ConsentContext): string {
  const words = ctx.consent.request.verification ? constraintWords(ctx.consent.request.verification) : "";
  return `${ctx.consent.client.name} accepts verified documents only${words ? `: ${words}` : ""}.`;
}

interface View {
  derived: HTMLElement;
  entries: HTMLElement;
  problems: HTMLElement;
  status: HTMLElement;
  expired: HTMLElement;
  error: HTMLElement;
  allow: HTMLButtonElement;
}

function buildView(root: HTMLElement, ctx: ConsentContext): View {
  const { consent } = ctx;
  const view: View = {
    derived: el("div", { class: "consent-derived-wrap" }),
    entries: el("div", { class: "consent-entries" }),
    problems: el("div", { class: "consent-blockers", id: "consent-problems", role: "status" }),
    status: el("p", { class: "muted", id: "consent-progress", role: "status" }),
    expired: el("p", { class: "notice", id: "consent-expired", role: "status", hidden: true }),
    error: el("p", { class: "error", id: "consent-error", role: "alert", hidden: true }),
    allow: el("button", { type: "button", class: "primary", id: "allow", disabled: true }, "Allow"),
  };
  const other = consent.otherScopes.length
    ? el("section", { class: "card consent-other" }, el("h2", {}, "Also from your account"), el("ul", {}, ...consent.otherScopes.map((s) => el("li", { "data-scope": s.name }, s.text))))
    : null;
  const parts = [
    el("p", { class: "lead consent-intro" }, `If you allow it, ${consent.client.name} will be able to read what is listed below, as it is in your vault now, and nothing else.`),
    consent.request.verifiedOnly ? el("p", { class: "notice", id: "consent-standard" }, standardWords(ctx)) : null,
    view.derived,
    view.entries,
    other,
    view.problems,
    view.expired,
    view.error,
    view.status,
  ];
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  // Allow sits beside Deny, which the server rendered as a plain form.
  must(document, ".actions").prepend(view.allow);
  return view;
}

export async function showConsent(root: HTMLElement): Promise<void> {
  const ctx = await loadConsent(root.dataset.uid!, () => {
    const status = root.querySelector("#consent-status");
    if (status) status.textContent = `${LOCKED_TEXT} to open your vault in this browser.`;
  });
  const { consent } = ctx;
  const choices = recallChoices(consent, availableTypes(ctx));
  const view = buildView(root, ctx);
  let busy = false;
  // A change of mind during a remembered consent's countdown stops it: the holder is deciding now.
  let stopCountdown = () => {};
  const changed = () => {
    stopCountdown();
    draw();
  };

  /** The chosen documents that have expired: said before sharing, and never shared by a countdown. */
  const expiredChoices = () => [...choices.values()].flatMap((c) => (c.type && expiredTypes(ctx).has(c.type) ? [c.type] : []));

  const derivedWithheld = new Set<string>();
  const blockers = () => [
    ...missingRequired(consent.request, choices, verifiedTypes(ctx)).map((p) => problemInWords(p, consent.request.entries)),
    ...absentRequiredParts(ctx, choices),
    ...(missingDerived(consent.request, ctx.verified.credentials) ? [`${consent.client.name} asks for verified facts about you, and none of your verified documents answers it yet.`] : []),
  ];

  function draw(): void {
    // Redrawing replaces the inputs: keep the keyboard where the holder was.
    const focused = document.activeElement?.id;
    view.entries.replaceChildren(...consent.request.entries.map((e) => renderEntry({ ctx, choices, changed }, e)));
    view.derived.replaceChildren(...[renderDerived(ctx, derivedWithheld, changed)].filter((x): x is HTMLElement => x !== null));
    if (focused) document.getElementById(focused)?.focus();
    const list = blockers();
    view.problems.replaceChildren(...(list.length ? [el("p", {}, "Before you can allow this:"), el("ul", {}, ...list.map((p) => el("li", {}, p)))] : []));
    view.problems.hidden = list.length === 0;
    view.allow.disabled = busy || list.length > 0;
    const stale = expiredChoices();
    view.expired.textContent = stale.length ? expiredWords(stale, consent.client.name) : "";
    view.expired.hidden = stale.length === 0;
  }

  async function share(remembered = false): Promise<void> {
    if (busy || blockers().length) return;
    busy = true;
    view.allow.disabled = true;
    view.error.hidden = true;
    view.status.textContent = remembered
      ? `You allowed ${consent.client.name} before — sharing your current documents…`
      : `Sealing your documents for ${consent.client.name}…`;
    try {
      const { signingKey, credentials } = ctx.verified;
      const verified = signingKey ? { signingKey, credentials, derivedWithheld: [...derivedWithheld] } : undefined;
      const sealed = await composePayload(ctx.key, consent, ctx.overview.items, choices, Date.now(), verified);
      const { redirect } = await api<{ redirect: string }>("POST", `/interaction/${encodeURIComponent(ctx.uid)}/share`, sealed);
      rememberChoices(consent, choices);
      view.status.textContent = `Shared. Returning to ${consent.client.name}…`;
      location.assign(redirect);
    } catch (err) {
      busy = false;
      view.status.textContent = "";
      view.error.textContent = `Nothing was shared: ${describeError(err)}`;
      view.error.hidden = false;
      draw();
    }
  }


  draw();
  root.dataset.ready = "";
  if (consent.remembered && !blockers().length && !expiredChoices().length) stopCountdown = countdown(root, consent.client.name, () => void share(true));
  view.allow.addEventListener("click", () => {
    stopCountdown();
    void share();
  });
}

/** "You allowed … before": shares after a short wait unless the holder cancels. Returns the cancel. */
function countdown(root: HTMLElement, clientName: string, go: () => void): () => void {
  let left = REMEMBERED_DELAY_S;
  const seconds = el("span", { class: "consent-seconds" }, String(left));
  const cancel = el("button", { type: "button", id: "remembered-cancel" }, "Cancel");
  const banner = el(
    "div",
    { class: "notice consent-remembered", id: "consent-remembered", role: "status" },
    el("p", {}, `You allowed ${clientName} before — sharing your current documents in `, seconds, " s…"),
    cancel,
  );
  root.prepend(banner);
  // Keyboard users can stop it with one key press.
  cancel.focus();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    if (left <= 0) {
      banner.remove();
      return go();
    }
    seconds.textContent = String(left);
    left -= 1;
    timer = setTimeout(tick, 1000);
  };
  const stop = () => {
    clearTimeout(timer);
    banner.remove();
  };
  cancel.addEventListener("click", () => {
    stop();
    must<HTMLButtonElement>(document, "#allow").focus();
  });
  tick();
  return stop;
}
