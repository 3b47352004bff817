// Verifying the email item: "Send code" mails a 6-digit code, "Verify" exchanges it (with the
// holder's public signing key) for Passport's SD-JWT VC of the address, bound to that key, and the
// item is saved with the credential sealed inside it and sent along once, so the server checks it
// and marks the item verified. The server keeps no copy: the vault item is where it lives.
import { validateDocument } from "../../documents/index.js";
import { api } from "../_api.js";
import { holderKeys } from "../_holder-keys.js";
import { busy, clearMessages, describeError, field, FormProblem, showError } from "../_form.js";
import { must } from "./dom.js";

/**
 * The attestations still worth sending with a save: the server refuses an expired one, and any
 * that is not an SD-JWT VC (the unbound JWTs issued before issue 9). Dropping them saves the item
 * unverified instead of failing the save; the holder can verify the address again.
 */
export function liveAttestations(list: string[], now = Date.now()): string[] {
  return list.filter((jwt) => {
    if (typeof jwt !== "string" || !jwt.includes("~")) return false;
    try {
      const payload = (jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/");
      const { exp } = JSON.parse(atob(payload)) as { exp?: unknown };
      return typeof exp === "number" && exp * 1000 > now;
    } catch {
      return false;
    }
  });
}

export function setupEmailVerification(form: HTMLFormElement, vaultKey: CryptoKey, markProblems: (p: { field: string; message: string }[]) => void, save: (email: string, attestation: string) => Promise<void>): void {
  const box = must<HTMLElement>(form, "#email-verify");
  const sendButton = must<HTMLButtonElement>(box, "#send-code");
  const codeStep = must<HTMLElement>(box, "#code-step");
  const status = must<HTMLElement>(box, "#email-status");

  const step = (handler: () => Promise<void>) => () => {
    clearMessages(form);
    busy(form, true);
    handler()
      .catch((err) => showError(form, describeError(err)))
      .finally(() => busy(form, false));
  };

  const address = (): string => {
    const r = validateDocument("email", { email: field(form, "email") });
    if (!r.ok) {
      markProblems(r.problems);
      throw new FormProblem("Enter a valid email address first.");
    }
    return r.data.email as string;
  };

  sendButton.addEventListener(
    "click",
    step(async () => {
      const email = address();
      await api("POST", "/api/vault/email/send", { email });
      codeStep.hidden = false;
      status.textContent = `We sent a code to ${email}. It expires in 15 minutes.`;
      status.hidden = false;
      sendButton.textContent = "Send a new code";
      form.querySelector<HTMLInputElement>("input[name=code]")?.focus();
    }),
  );

  must(box, "#verify-code").addEventListener(
    "click",
    step(async () => {
      const email = address();
      const code = field(form, "code").trim();
      if (!/^\d{6}$/.test(code)) throw new FormProblem("The code has 6 digits.");
      // The credential is bound to this key (made now if the account has none yet).
      const { signingJwk } = await holderKeys(vaultKey);
      const { attestation } = await api<{ attestation: string }>("POST", "/api/vault/email/verify", { email, code, holderJwk: signingJwk });
      await save(email, attestation);
    }),
  );
}
