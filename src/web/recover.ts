// Forgot password: prove the recovery key, open the vault key with it, wrap it under the new
// password. The vault key (and so every document) stays the same.
import "./common.js";
import { normalizeRecoveryKey, deriveRecoveryKeys, openVaultWithRecoveryKey, passwordMaterial } from "../crypto/index.js";
import { api } from "./_api.js";
import { checkNewPassword, field, onSubmit, FormProblem } from "./_form.js";
import { storeVaultKey } from "./_vault-session.js";

const form = document.querySelector<HTMLFormElement>("#recover-form");
if (form) {
  onSubmit(form, async () => {
    const email = field(form, "email").trim();
    const recoveryKey = field(form, "recoveryKey");
    const password = field(form, "password");
    if (!email) throw new FormProblem("Enter your email.");
    const problem = checkNewPassword(password, field(form, "password2"));
    if (problem) throw new FormProblem(problem);
    normalizeRecoveryKey(recoveryKey); // catches a typo before any request
    const { authKey: recoveryAuthKey } = await deriveRecoveryKeys(recoveryKey);
    const { recoveryWrappedVaultKey } = await api<{ recoveryWrappedVaultKey: string }>("POST", "/api/recovery/start", { email, recoveryAuthKey });
    const vaultKey = await openVaultWithRecoveryKey(recoveryKey, recoveryWrappedVaultKey);
    const next = await passwordMaterial(password, Number(form.dataset.iterations), vaultKey);
    await api("POST", "/api/recovery/finish", { email, recoveryAuthKey, ...next });
    // Recovery ends signed in, so the vault key is kept as after any sign-in.
    await storeVaultKey(vaultKey);
    location.assign("/");
  });
}
