// /recovery-key: a new recovery key for the signed-in holder. The password opens the vault key
// (extractable, only here and only to re-wrap it); a new recovery key is made and wraps it; the
// server keeps the new wrapped copy beside the current one until the holder confirms the new key,
// which then replaces the old one (_recovery-panel.ts). The server never sees either key.
import "./common.js";
import { deriveRecoveryKeys, derivePasswordKeys, generateRecoveryKey, unwrapVaultKey, wrapVaultKey, type KdfParams } from "../crypto/index.js";
import { api } from "./_api.js";
import { field, onSubmit, FormProblem } from "./_form.js";
import { showRecoveryKey } from "./_recovery-panel.js";

interface KeyMaterial {
  account: { email: string };
  kdf: KdfParams;
  wrappedVaultKey: string;
}

const form = document.querySelector<HTMLFormElement>("#recovery-key-form");
const panel = document.querySelector<HTMLElement>("#recovery");
if (form && panel) {
  onSubmit(form, async () => {
    const password = field(form, "password");
    if (!password) throw new FormProblem("Enter your password.");
    const km = await api<KeyMaterial>("GET", "/api/account");
    const { authKey, kek } = await derivePasswordKeys(password, km.kdf);
    const vaultKey = await unwrapVaultKey(km.wrappedVaultKey, kek, "password", { extractable: true }).catch(() => {
      throw new FormProblem("The password is wrong.");
    });
    const recoveryKey = generateRecoveryKey();
    const recovery = await deriveRecoveryKeys(recoveryKey);
    const recoveryWrappedVaultKey = await wrapVaultKey(vaultKey, recovery.kek, "recovery");
    await api("POST", "/api/account/recovery-key", { currentAuthKey: authKey, recoveryAuthKey: recovery.authKey, recoveryWrappedVaultKey });
    form.hidden = true;
    showRecoveryKey(panel, recoveryKey, km.account.email, form.dataset.next || "/account");
  });
}
