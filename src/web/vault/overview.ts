// The vault overview: every document type with its state, decrypted summary, reported errors and
// scan thumbnails; usage against the quota; delete with confirmation; downloads; export.
import { expiredOn, type DocumentType } from "../../documents/index.js";
import { describeError } from "../_form.js";
import { el, formatBytes, must, timeElement } from "./dom.js";
import { deleteDocument, openDocument, scansOf, type PlacedScan } from "./documents.js";
import { setupExport } from "./export.js";
import { setupRestore } from "./restore-view.js";
import { MIME_LABELS } from "./mime.js";
import { downloadScan, loadThumbnail } from "./scans.js";
import { showReported } from "./reported.js";
import { summarize } from "./summary.js";
import { loadOverview, type ItemEnvelope, type VaultOverview } from "./transport.js";
import { LOCKED_TEXT, vaultKey } from "./unlock.js";
import { ensureHolderKeys } from "../_holder-keys.js";
import { describeVerification, itemVerification, loadCredentials, loadSubmissions, type CredentialView, type SubmissionView } from "./verification.js";

interface Card {
  root: HTMLElement;
  type: DocumentType;
  badge: HTMLElement;
  status: HTMLElement;
  verification: HTMLElement;
  fields: HTMLElement;
  errors: HTMLElement;
  scans: HTMLElement;
  add: HTMLElement;
  edit: HTMLElement;
  del: HTMLButtonElement;
  confirm: HTMLElement;
}

function cardOf(root: HTMLElement): Card {
  return {
    root,
    type: root.dataset.type as DocumentType,
    badge: must(root, ".doc-badge"),
    status: must(root, ".doc-status"),
    verification: must(root, ".doc-verification"),
    fields: must(root, ".doc-fields"),
    errors: must(root, ".doc-errors"),
    scans: must(root, ".doc-scans"),
    add: must(root, ".doc-add"),
    edit: must(root, ".doc-edit"),
    del: must(root, ".doc-delete"),
    confirm: must(root, ".doc-confirm"),
  };
}

function badge(item: ItemEnvelope): HTMLElement {
  if (item.verification === "verified") return el("span", { class: "badge on" }, "verified");
  const note = item.type === "phone_number" ? "unverified (no SMS verification yet)" : "unverified";
  return el("span", { class: "badge" }, note);
}

function scanTile(key: CryptoKey, item: ItemEnvelope, s: PlacedScan, report: (msg: string) => void): HTMLElement {
  const preview = el("span", { class: "scan-icon", "aria-hidden": "true" }, MIME_LABELS[s.ref.mime]);
  const download = el("button", { type: "button", class: "link scan-download" }, "Download");
  download.addEventListener("click", () => {
    downloadScan(key, item.files, s.ref, `${item.type}-${s.label.replace(/\s+/g, "-").toLowerCase()}`).catch((err) => report(describeError(err)));
  });
  const tile = el("li", { class: "scan", "data-field": s.field }, preview, el("span", { class: "scan-label" }, s.label), download);
  void loadThumbnail(key, item.files, s.ref)
    .then((url) => url && preview.replaceWith(el("img", { class: "thumb", src: url, alt: `${s.label} of your ${item.type.replace(/_/g, " ")}` })))
    .catch(() => preview.classList.add("broken"));
  return tile;
}

/** What verifiers made of the item, in one line: submitted, verified until D, rejected, revoked, expired. */
interface VerifierRecords {
  submissions: SubmissionView[];
  credentials: CredentialView[];
}

function renderVerification(c: Card, item: ItemEnvelope | undefined, records: VerifierRecords): void {
  const state = item && item.type !== "email" ? itemVerification(item, records.submissions, records.credentials) : { kind: "none" as const };
  const text = describeVerification(state);
  c.verification.dataset.kind = state.kind;
  c.verification.replaceChildren(text);
  c.verification.hidden = !text;
}

async function renderCard(c: Card, key: CryptoKey, item: ItemEnvelope | undefined, records: VerifierRecords): Promise<void> {
  renderVerification(c, item, records);
  c.confirm.hidden = true;
  c.fields.replaceChildren();
  c.scans.replaceChildren();
  c.badge.replaceChildren();
  c.fields.hidden = c.scans.hidden = c.errors.hidden = true;
  c.add.hidden = !!item;
  c.edit.hidden = c.del.hidden = !item;
  c.root.dataset.state = item ? "filled" : "empty";
  if (!item) {
    c.status.replaceChildren("Not added yet");
    return;
  }
  c.status.replaceChildren("Changed ", timeElement(item.updatedAt));
  c.badge.append(badge(item));
  showReported(c.errors, item.errors);
  let data;
  try {
    data = await openDocument(key, item);
  } catch (err) {
    c.root.dataset.state = "locked";
    c.status.replaceChildren(el("span", { class: "error" }, `This document could not be opened: ${describeError(err)}`));
    return;
  }
  const expired = expiredOn(data);
  if (expired) {
    c.badge.append(" ", el("span", { class: "badge off badge-expired", title: `Expired on ${expired}` }, "expired"));
    c.root.dataset.expired = "";
  } else delete c.root.dataset.expired;
  const rows = summarize(c.type, data);
  c.fields.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  c.fields.hidden = rows.length === 0;
  const report = (msg: string) => c.status.replaceChildren(el("span", { class: "error" }, msg));
  const scans = scansOf(data);
  c.scans.replaceChildren(...scans.map((s) => scanTile(key, item, s, report)));
  c.scans.hidden = scans.length === 0;
}

function renderUsage(o: VaultOverview): void {
  const meter = must<HTMLMeterElement>(document, "#usage-meter");
  meter.max = o.quota;
  meter.high = o.quota * 0.9;
  meter.value = o.usage;
  must(document, "#usage-text").textContent = `${formatBytes(o.usage)} of ${formatBytes(o.quota)} used`;
}

export async function showVault(): Promise<void> {
  const cards = [...document.querySelectorAll<HTMLElement>("article.vault-doc")].map(cardOf);
  const key = await vaultKey(() => {
    for (const c of cards) {
      c.root.dataset.state = "locked";
      c.status.replaceChildren(LOCKED_TEXT);
    }
  });
  for (const c of cards) c.status.replaceChildren("Opening…");
  const loadRecords = async (): Promise<VerifierRecords> => {
    const [submissions, credentials] = await Promise.all([loadSubmissions(), loadCredentials()]);
    return { submissions, credentials };
  };
  let [overview, records] = await Promise.all([loadOverview(), loadRecords()]);
  const current = (type: DocumentType) => overview.items.find((i) => i.type === type);

  async function refresh(): Promise<void> {
    [overview, records] = await Promise.all([loadOverview(), loadRecords()]);
    renderUsage(overview);
    await Promise.all(cards.map((c) => renderCard(c, key, current(c.type), records)));
  }

  for (const c of cards) {
    c.del.addEventListener("click", () => {
      c.confirm.hidden = false;
      must<HTMLButtonElement>(c.confirm, ".doc-confirm-no").focus();
    });
    must(c.confirm, ".doc-confirm-no").addEventListener("click", () => (c.confirm.hidden = true));
    must(c.confirm, ".doc-confirm-yes").addEventListener("click", () => {
      const item = current(c.type);
      if (!item) return;
      deleteDocument(c.type, item.version)
        .then(refresh)
        .catch((err) => {
          c.confirm.hidden = true;
          c.status.replaceChildren(el("span", { class: "error", role: "alert" }, describeError(err)));
        });
    });
  }
  setupExport(key, () => overview);
  setupRestore(key, () => overview, refresh);
  renderUsage(overview);
  await Promise.all(cards.map((c) => renderCard(c, key, current(c.type), records)));
  // An account made before holder keys existed gets its key pairs the first time its vault is open.
  await ensureHolderKeys(key).catch((err: unknown) => {
    const box = must<HTMLElement>(document, "#vault-error");
    box.textContent = `Your signing keys could not be set up (${describeError(err)}); verified documents cannot be shared until they are. Reload the page to try again.`;
    box.hidden = false;
  });
  must(document, "#vault").setAttribute("data-ready", "");
}
