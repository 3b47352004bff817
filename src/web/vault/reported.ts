// Problems a relying party reported about a shared item (Telegram Passport's nine kinds), in words.
// They stay until the holder changes the item.
import { el } from "./dom.js";
import type { ReportedError } from "./transport.js";

const WHERE: Record<string, string> = {
  front_side: "the front side",
  reverse_side: "the reverse side",
  selfie: "the selfie",
  file: "a file",
  files: "the files",
  translation_file: "a translation page",
  translation_files: "the translation pages",
};

export function reportedItem(e: ReportedError): HTMLLIElement {
  const where = e.field ? e.field.replace(/_/g, " ") : WHERE[e.kind];
  return el("li", {}, el("strong", {}, e.source), where ? ` about ${where}: ` : ": ", e.message);
}

export function showReported(list: HTMLElement, errors: ReportedError[]): void {
  list.replaceChildren(...errors.map(reportedItem));
  list.hidden = errors.length === 0;
}
