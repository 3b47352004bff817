// Sign-up: everything is made here — the vault key, the recovery key, the password-derived keys —
// and only the authKeys and wrapped vault keys go to the server. The recovery key is shown once.
import "./common.js";
import { createAccountMaterial } from "../crypto/index.js";
import { api } from "./_api.js";
import { checkNewPassword, field, onSubmit, FormProblem } from "./_form.js";
import { storeVaultKey } from "./_vault-session.js";

const form = document.querySelector<HTMLFormElement>("#signup-form");
const recovery = document.querySelector<HTMLElement>("#recovery");
if (form && recovery) {
  onSubmit(form, async () => {
    const email = field(form, "email").trim();
    const password = field(form, "password");
    if (!email) throw new FormProblem("Enter your email.");
    const problem = checkNewPassword(password, field(form, "password2"));
    if (problem) throw new FormProblem(problem);
    const iterations = Number(form.dataset.iterations);
    const { body, recoveryKey, vaultKey } = await createAccountMaterial(password, iterations);
    await api("POST", "/api/signup", { email, ...body });
    await storeVaultKey(vaultKey);
    form.hidden = true;
    document.querySelector<HTMLElement>("#signin-hint")?.setAttribute("hidden", "");
    recovery.hidden = false;
    recovery.querySelector("#recovery-key")!.textContent = recoveryKey;
  });
  const saved = recovery.querySelector<HTMLInputElement>("#recovery-saved")!;
  const next = recovery.querySelector<HTMLButtonElement>("#recovery-continue")!;
  saved.addEventListener("change", () => (next.disabled = !saved.checked));
  next.addEventListener("click", () => location.assign(form.dataset.next || "/"));
}
