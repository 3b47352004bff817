// Copy buttons: <button type="button" data-copy="ID" hidden>Copy</button> copies the text of the
// element #ID. The button is hidden in the markup and shown here, so a page without scripts shows
// no dead button (the text stays selectable). The Clipboard API needs a secure context (https or
// localhost); elsewhere, and when it is refused, the text is selected and the old copy command is
// tried; if that fails too, the text stays selected and the confirmation says to press Ctrl+C.

const COPIED = "Copied";
const SELECTED = "Selected: press Ctrl+C (⌘C) to copy";

function selectText(el: Element): void {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

/** The legacy path: select the text and ask the browser to copy the selection. */
function copyBySelection(el: Element): boolean {
  selectText(el);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

export async function copyText(el: Element): Promise<"copied" | "selected"> {
  const text = (el.textContent ?? "").trim();
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return "copied";
    } catch {
      // Refused (no permission, no focus): fall through to the selection.
    }
  }
  return copyBySelection(el) ? "copied" : "selected";
}

/** A polite live region next to the button, so screen readers hear the confirmation too. */
function statusFor(button: HTMLButtonElement): HTMLElement {
  const next = button.nextElementSibling;
  if (next instanceof HTMLElement && next.classList.contains("copy-status")) return next;
  const status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  button.after(status);
  return status;
}

export function setUpCopyButton(button: HTMLButtonElement): void {
  const target = document.getElementById(button.dataset.copy ?? "");
  if (!target) return;
  const status = statusFor(button);
  let timer: ReturnType<typeof setTimeout> | undefined;
  button.hidden = false;
  button.addEventListener("click", () => {
    void copyText(target).then((result) => {
      status.textContent = result === "copied" ? COPIED : SELECTED;
      button.dataset.copied = result;
      clearTimeout(timer);
      // The confirmation stays long enough to read, then goes so a second copy is noticed again.
      timer = setTimeout(() => (status.textContent = ""), 4000);
    });
  });
}

document.querySelectorAll<HTMLButtonElement>("button[data-copy]").forEach(setUpCopyButton);
