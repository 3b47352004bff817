// Small helpers shared by the pages' forms: read fields, show an error or a status, lock the form
// while keys are derived.
import { ApiError } from "./_api.js";
import { CryptoError } from "../crypto/index.js";

/** A problem the page itself found in the input; its message is shown as it is. */
export class FormProblem extends Error {}

export function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | null;
  return el?.type === "checkbox" ? (el.checked ? "on" : "") : (el?.value ?? "");
}

export function showError(form: HTMLElement, message: string): void {
  const el = form.querySelector<HTMLElement>(".error, #form-error");
  if (el) {
    el.textContent = message;
    el.hidden = false;
  }
}

export function clearMessages(form: HTMLElement): void {
  form.querySelectorAll<HTMLElement>(".error, .ok, #form-error").forEach((el) => {
    el.hidden = true;
    el.textContent = "";
  });
}

export function busy(form: HTMLFormElement, on: boolean): void {
  form.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button, input").forEach((el) => (el.disabled = on));
  const status = form.querySelector<HTMLElement>("#form-status");
  if (status) status.hidden = !on;
}

/** Turns any failure into words for the holder; never shows a stack. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const fieldMsgs = Object.entries(err.fields).filter(([k]) => k !== "_");
    return fieldMsgs.length && !err.message ? fieldMsgs.map(([k, v]) => `${k}: ${v}`).join("; ") : err.message;
  }
  if (err instanceof FormProblem) return err.message;
  if (err instanceof CryptoError) return err.message.charAt(0).toUpperCase() + err.message.slice(1) + ".";
  return "Something went wrong. Check your connection and try again.";
}

export const MIN_PASSWORD = 10;

export function checkNewPassword(password: string, repeat: string): string | null {
  if (password.length < MIN_PASSWORD) return `The password must have at least ${MIN_PASSWORD} characters.`;
  if (password !== repeat) return "The two passwords differ.";
  return null;
}

export function onSubmit(form: HTMLFormElement, handler: () => Promise<void>): void {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearMessages(form);
    busy(form, true);
    handler()
      .catch((err) => showError(form, describeError(err)))
      .finally(() => busy(form, false));
  });
}
