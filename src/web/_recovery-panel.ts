// The recovery key panel (sign-up and /recovery-key): shows the key once, with copy, download (a
// text file) and print, and lets the holder go on only after typing its last group back. Then the
// browser proves the key to the server (its authKey, never the key) and the account is usable.
import { deriveRecoveryKeys } from "../crypto/index.js";
import { api } from "./_api.js";
import { describeError, FormProblem } from "./_form.js";
import { must, saveBlob } from "./vault/dom.js";

/** Upper case, no separators, and the look-alikes the key format forgives (I/L→1, O→0). */
const canonical = (s: string) => s.normalize("NFKC").toUpperCase().replace(/[\s\-\u2010-\u2015\u2212_.]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");

export const lastGroup = (recoveryKey: string) => recoveryKey.split("-").at(-1) ?? "";

/** True when what the holder typed is the key's last group (forgiving case, spaces, look-alikes). */
export function matchesLastGroup(recoveryKey: string, typed: string): boolean {
  const want = canonical(lastGroup(recoveryKey));
  return want.length > 0 && canonical(typed) === want;
}

/** The text file the holder downloads: the key and what it is for, nothing else of the account. */
export function recoveryKeyText(recoveryKey: string, email: string, origin: string, now = new Date()): string {
  return [
    "Passport recovery key",
    "",
    `Account: ${email}`,
    `Server:  ${origin}`,
    `Made:    ${now.toISOString().slice(0, 10)}`,
    "",
    recoveryKey,
    "",
    "This key opens your vault if you forget your password (Forgot your password? on the sign-in page).",
    "Keep it offline or in a password manager. Anyone with this key and your email can reset your password.",
    "",
  ].join("\n");
}

/**
 * Fills and shows the panel; after a matching last group and the server's yes, runs `confirmed`
 * (sign-up stores the holder keys there: the vault API opens only to confirmed accounts) and goes
 * to `next`.
 */
export function showRecoveryKey(panel: HTMLElement, recoveryKey: string, email: string, next: string, confirmed?: () => Promise<void>): void {
  must(panel, "#recovery-key").textContent = recoveryKey;
  const note = must<HTMLElement>(panel, "#recovery-note");
  const say = (text: string) => {
    note.textContent = text;
    note.hidden = false;
  };
  must(panel, "#recovery-copy").addEventListener("click", () => {
    navigator.clipboard.writeText(recoveryKey).then(
      () => say("Copied. Paste it into your password manager now."),
      () => say("This browser did not allow copying: select the key and copy it yourself."),
    );
  });
  must(panel, "#recovery-download").addEventListener("click", () => {
    const text = recoveryKeyText(recoveryKey, email, location.origin);
    saveBlob(new Blob([text], { type: "text/plain;charset=utf-8" }), `passport-recovery-key-${location.hostname}.txt`);
    say("Downloaded. Move the file somewhere safe, off this computer if you can.");
  });
  must(panel, "#recovery-print").addEventListener("click", () => window.print());

  const form = must<HTMLFormElement>(panel, "#recovery-confirm-form");
  const input = must<HTMLInputElement>(form, "input[name=lastGroup]");
  const error = must<HTMLElement>(form, ".error");
  const button = must<HTMLButtonElement>(form, "#recovery-continue");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.hidden = true;
    button.disabled = true;
    confirm(recoveryKey, input.value)
      .then(() => confirmed?.())
      .then(() => location.assign(next))
      .catch((err) => {
        error.textContent = describeError(err);
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      })
      .finally(() => (button.disabled = false));
  });
  panel.hidden = false;
  must<HTMLElement>(panel, "h2").focus();
}

async function confirm(recoveryKey: string, typed: string): Promise<void> {
  if (!typed.trim()) throw new FormProblem("Type the last group of your recovery key.");
  if (!matchesLastGroup(recoveryKey, typed)) throw new FormProblem("That is not the last group of the key above. Check what you stored.");
  const { authKey } = await deriveRecoveryKeys(recoveryKey);
  await api("POST", "/api/account/recovery-key/confirm", { recoveryAuthKey: authKey });
}
