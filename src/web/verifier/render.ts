// How an opened submission looks: per document its fields (dates and countries in the reader's
// locale) and its scans, drawn from the decrypted bytes. Built with text nodes only (vault/dom.ts).
import { DOCUMENT_LABELS, type DocumentType } from "../../documents/index.js";
import type { SharedFile } from "../../sharing/payload.js";
import { explain } from "./explain.js";
import { countryName, formatDate } from "../_locale.js";
import { dataUrl, el } from "../vault/dom.js";
import { openScan, type OpenedItem } from "./opened.js";

const ROLE_LABELS: Record<string, string> = { front_side: "Front side", reverse_side: "Reverse side", selfie: "Selfie", translation: "Translation page", file: "File" };

/** "document_no" → "Document no". */
export const fieldLabel = (name: string) => (name.charAt(0).toUpperCase() + name.slice(1)).replace(/_/g, " ");

function fieldValue(name: string, v: unknown): string {
  if (typeof v !== "string") return JSON.stringify(v);
  if (/country_code$/.test(name)) return `${countryName(v)} (${v})`;
  if (/_date$/.test(name)) return formatDate(v);
  return v;
}

function scanFigure(slug: string, submissionId: string, file: SharedFile, label: string, docLabel: string): HTMLElement {
  const holder = el("span", { class: "scan-icon" }, "…");
  const caption = el("figcaption", {}, label);
  const figure = el("figure", { class: "review-scan", "data-role": file.role }, holder, caption);
  void openScan(slug, submissionId, file)
    .then(async (bytes) => {
      if (file.mime.startsWith("image/") && file.mime !== "image/heic") {
        holder.replaceWith(el("img", { class: "scan-preview", src: await dataUrl(bytes, file.mime), alt: `${label} of the ${docLabel.toLowerCase()}` }));
      } else {
        holder.textContent = file.mime === "application/pdf" ? "PDF" : "HEIC";
      }
      figure.dataset.opened = "";
    })
    .catch((err) => {
      holder.classList.add("broken");
      holder.textContent = "!";
      caption.append(el("span", { class: "error" }, ` could not be opened: ${explain(err)}`));
    });
  return figure;
}

/** `withScans`: the scans can still be fetched (the submission waits for a decision). */
export function renderItem(slug: string, submissionId: string, item: OpenedItem, withScans: boolean): HTMLElement {
  const label = DOCUMENT_LABELS[item.type as DocumentType] ?? item.type;
  const rows = Object.entries(item.fields).flatMap(([k, v]) => [el("dt", {}, fieldLabel(k)), el("dd", { "data-field": k }, fieldValue(k, v))]);
  const counts: Record<string, number> = {};
  const scans = (withScans ? item.files : []).map((f) => {
    counts[f.role] = (counts[f.role] ?? 0) + 1;
    const many = item.files.filter((g) => g.role === f.role).length > 1;
    return scanFigure(slug, submissionId, f, `${ROLE_LABELS[f.role] ?? f.role}${many ? ` ${counts[f.role]}` : ""}`, label);
  });
  return el(
    "article",
    { class: "review-item", "data-type": item.type },
    el("h3", {}, label, el("span", { class: "small muted" }, ` · version ${item.version}`)),
    el("dl", { class: "doc-fields" }, ...rows),
    scans.length
      ? el("div", { class: "scans" }, ...scans)
      : el("p", { class: "small muted" }, !item.files.length ? "No scans." : `${item.files.length} scan(s): shared only while the submission waited for a decision.`),
  );
}
