// Sign-up: everything is made here — the vault key, the recovery key, the password-derived keys —
// and only the authKeys and wrapped vault keys go to the server. The recovery key is shown once,
// and the account is usable only after the holder types its last group back (_recovery-panel.ts).
import "./common.js";
import { createAccountMaterial } from "../crypto/index.js";
import { api } from "./_api.js";
import { checkNewPassword, field, onSubmit, FormProblem } from "./_form.js";
import { createHolderKeys } from "./_holder-keys.js";
import { showRecoveryKey } from "./_recovery-panel.js";
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
    const { account } = await api<{ account: { id: string } }>("POST", "/api/signup", { email, ...body });
    await storeVaultKey(vaultKey);
    form.hidden = true;
    document.querySelector<HTMLElement>("#signin-hint")?.setAttribute("hidden", "");
    // Closing the tab now is safe: the account waits, and /recovery-key makes a new key.
    // The holder's key pairs are made once the account is confirmed. Should that fail (the tab
    // closed, a network error), the vault makes them the first time it is opened (_holder-keys.ts).
    showRecoveryKey(recovery, recoveryKey, email, form.dataset.next || "/", () =>
      createHolderKeys(vaultKey, account.id).then(
        () => undefined,
        () => undefined,
      ),
    );
  });
}
