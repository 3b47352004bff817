// The scan slots of the edit form: one scan (front side, reverse side, selfie) or several (files,
// translation pages). A chosen file is checked, sealed and uploaded at once, so problems show
// beside the slot; the document refers to it only when saved.
import type { FieldProblem, ScanRef } from "../../documents/index.js";
import { describeError } from "../_form.js";
import { el, formatBytes, must } from "./dom.js";
import type { DocData } from "./documents.js";
import { MIME_LABELS } from "./mime.js";
import { addScan, discardScan, loadThumbnail } from "./scans.js";
import type { FileEnvelope } from "./transport.js";

interface Slot {
  field: string;
  multiple: boolean;
  refs: ScanRef[];
  list: HTMLElement;
  error: HTMLElement;
  status: HTMLElement;
  dismiss: HTMLElement;
  /** Files refused by the last choice (too large, not an image...), until replaced or dismissed. */
  rejected: string;
}

export interface Slots {
  /** The slots' scans as document fields: one ref or undefined, or an array. */
  values(): DocData;
  /**
   * Slots whose last file was refused: saving now would save the document without it and say
   * nothing, so Save is refused until the holder picks another file or chooses to go without.
   */
  problems(): FieldProblem[];
  /** Resolves once every upload started so far has finished. */
  idle(): Promise<void>;
}

export function setupSlots(form: HTMLFormElement, key: CryptoKey, maxFileBytes: number, data: DocData, files: FileEnvelope[]): Slots {
  /** Scans uploaded on this page and not saved yet: removing one deletes its upload. */
  const fresh = new Set<string>();
  const previews = new Map<string, string>();
  const pending = new Set<Promise<void>>();

  const tile = (slot: Slot, ref: ScanRef): HTMLElement => {
    const preview: HTMLElement = el("span", { class: "scan-icon", "aria-hidden": "true" }, MIME_LABELS[ref.mime]);
    const url = previews.get(ref.id);
    const image = (src: string) => el("img", { class: "thumb", src, alt: ref.name ?? "scan" });
    const remove = el("button", { type: "button", class: "link scan-remove" }, "Remove");
    remove.addEventListener("click", () => {
      slot.refs = slot.refs.filter((r) => r !== ref);
      if (fresh.delete(ref.id)) void discardScan(ref);
      render(slot);
    });
    const li = el("li", { class: "scan" }, url ? image(url) : preview, el("span", { class: "scan-label" }, ref.name ?? MIME_LABELS[ref.mime], el("small", { class: "muted" }, ` ${formatBytes(ref.size)}`)), remove);
    if (!url && ref.thumbnailId && !fresh.has(ref.id)) {
      void loadThumbnail(key, files, ref).then((u) => {
        if (!u) return;
        previews.set(ref.id, u);
        preview.replaceWith(image(u));
      }, () => preview.classList.add("broken"));
    }
    return li;
  };

  const render = (slot: Slot) => slot.list.replaceChildren(...slot.refs.map((r) => tile(slot, r)));

  async function take(slot: Slot, chosen: File[]): Promise<void> {
    const problems: string[] = [];
    for (const file of slot.multiple ? chosen : chosen.slice(0, 1)) {
      slot.status.textContent = `Encrypting and uploading “${file.name}”…`;
      slot.status.hidden = false;
      try {
        const scan = await addScan(key, file, maxFileBytes);
        fresh.add(scan.ref.id);
        if (scan.preview) previews.set(scan.ref.id, scan.preview);
        if (!slot.multiple) {
          const replaced = slot.refs[0];
          if (replaced && fresh.delete(replaced.id)) void discardScan(replaced);
          slot.refs = [];
        }
        slot.refs = [...slot.refs, scan.ref];
        render(slot);
      } catch (err) {
        const msg = describeError(err);
        problems.push(msg.includes(file.name) ? msg : `“${file.name}”: ${msg}`);
      }
    }
    slot.status.hidden = true;
    slot.rejected = problems.length ? `${problems.join(" ")} It was not added: choose another file, or save without it.` : "";
    showRejected(slot);
  }

  const showRejected = (slot: Slot) => {
    slot.error.textContent = slot.rejected;
    slot.error.hidden = !slot.rejected;
    slot.dismiss.hidden = !slot.rejected;
  };

  const slots: Slot[] = [...form.querySelectorAll<HTMLElement>(".scan-slot")].map((root) => {
    const field = root.dataset.field!;
    const multiple = root.dataset.multiple === "true";
    const initial = data[field];
    const refs = Array.isArray(initial) ? (initial as ScanRef[]) : initial ? [initial as ScanRef] : [];
    const slot: Slot = { field, multiple, refs, list: must(root, ".scan-list"), error: must(root, ".field-error"), status: must(root, ".scan-status"), dismiss: must(root, ".scan-dismiss"), rejected: "" };
    slot.dismiss.addEventListener("click", () => {
      slot.rejected = "";
      showRejected(slot);
    });
    const input = must<HTMLInputElement>(root, "input[type=file]");
    input.addEventListener("change", () => {
      const chosen = [...(input.files ?? [])];
      input.value = "";
      const job = take(slot, chosen).finally(() => pending.delete(job));
      pending.add(job);
    });
    render(slot);
    return slot;
  });

  return {
    values: () => Object.fromEntries(slots.map((s) => [s.field, s.multiple ? s.refs : s.refs[0]])),
    problems: () => slots.filter((s) => s.rejected).map((s) => ({ field: s.field, message: s.rejected })),
    idle: async () => {
      while (pending.size) await Promise.all(pending);
    },
  };
}
