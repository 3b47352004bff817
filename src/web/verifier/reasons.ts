// The reject form: one row per reason, each naming the document, one of the nine kinds relying
// parties report with (Telegram Passport's, src/services/sharing.ts ERROR_KINDS) and, for a data
// error, the field; for a single file, which file. The holder sees each next to what it names.
import { DOCUMENT_LABELS, type DocumentType } from "../../documents/index.js";
import { FormProblem } from "../_form.js";
import { el, must } from "../vault/dom.js";
import type { Reason } from "./api.js";
import type { OpenedItem } from "./opened.js";
import { fieldLabel } from "./render.js";

/** The nine kinds, as the server's ERROR_KINDS has them (copied: that module is server code). */
export const REASON_KINDS: [string, string][] = [
  ["data", "A field"],
  ["front_side", "The front side"],
  ["reverse_side", "The reverse side"],
  ["selfie", "The selfie"],
  ["file", "One file"],
  ["files", "The files"],
  ["translation_file", "One translation page"],
  ["translation_files", "The translation pages"],
  ["unspecified", "Something else"],
];

const FILE_ROLE: Record<string, string> = { file: "file", translation_file: "translation" };

let rows = 0;

function options(select: HTMLSelectElement, list: [string, string][]): void {
  select.replaceChildren(...list.map(([value, label]) => el("option", { value }, label)));
}

function reasonRow(items: OpenedItem[], onRemove: (row: HTMLElement) => void): HTMLElement {
  rows += 1;
  const id = (name: string) => `reason-${rows}-${name}`;
  const item = el("select", { id: id("item"), name: "item" });
  options(item, items.map((i) => [i.itemId, DOCUMENT_LABELS[i.type as DocumentType] ?? i.type]));
  const kind = el("select", { id: id("kind"), name: "kind" });
  options(kind, REASON_KINDS);
  const target = el("select", { id: id("field"), name: "field" });
  const targetLabel = el("label", { for: id("field") }, "Which one");
  const message = el("input", { id: id("message"), name: "message", type: "text", maxlength: "500", required: true });
  const remove = el("button", { type: "button", class: "link" }, "Remove this reason");
  const row = el(
    "fieldset",
    { class: "reason" },
    el("legend", {}, "Reason"),
    el("div", { class: "grid3" }, el("label", {}, "Document", item), el("label", {}, "What is wrong", kind), el("div", {}, targetLabel, target)),
    el("label", {}, "Message to the holder", message),
    remove,
  );
  // The third choice follows the first two: the document's fields for a data error, its files
  // of the right role for a one-file error, nothing otherwise.
  const sync = () => {
    const opened = items.find((i) => i.itemId === item.value)!;
    let list: [string, string][] = [];
    if (kind.value === "data") list = Object.keys(opened.fields).map((f) => [f, fieldLabel(f)]);
    const role = FILE_ROLE[kind.value];
    if (role) list = opened.files.filter((f) => f.role === role).map((f, n) => [f.id, `${role === "file" ? "File" : "Translation page"} ${n + 1}`]);
    options(target, list);
    targetLabel.hidden = target.hidden = list.length === 0;
  };
  item.addEventListener("change", sync);
  kind.addEventListener("change", sync);
  remove.addEventListener("click", () => onRemove(row));
  sync();
  return row;
}

/** Sets the form up for these items; `read()` gives the reasons or names what is missing. */
export function setupReasons(form: HTMLFormElement, items: OpenedItem[]): { read(): Reason[] } {
  const box = must<HTMLElement>(form, "#reasons");
  const add = must<HTMLButtonElement>(form, "#add-reason");
  const onRemove = (row: HTMLElement) => {
    if (box.children.length > 1) row.remove();
    box.querySelector<HTMLElement>("select")?.focus();
  };
  box.replaceChildren(reasonRow(items, onRemove));
  add.onclick = () => {
    const row = reasonRow(items, onRemove);
    box.append(row);
    row.querySelector<HTMLElement>("select")?.focus();
  };
  return {
    read() {
      return [...box.querySelectorAll<HTMLFieldSetElement>("fieldset.reason")].map((row) => {
        const value = (name: string) => (row.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
        const target = row.elements.namedItem("field") as HTMLSelectElement;
        const message = value("message");
        const input = row.elements.namedItem("message") as HTMLInputElement;
        if (!message) {
          input.setAttribute("aria-invalid", "true");
          input.focus();
          throw new FormProblem("Each reason needs a message for the holder.");
        }
        input.removeAttribute("aria-invalid");
        const item = items.find((i) => i.itemId === value("item"))!;
        return { itemType: item.type, kind: value("kind"), ...(!target.hidden && target.value ? { field: target.value } : {}), message };
      });
    },
  };
}
