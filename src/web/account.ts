// Account page: change the password (re-wrap the vault key only) and delete the account.
import "./common.js";
import { CryptoError, CryptoInputError, derivePasswordKeys, openVaultWithPassword, passwordMaterial, type KdfParams } from "../crypto/index.js";
import { api } from "./_api.js";
import { checkNewPassword, field, onSubmit, FormProblem } from "./_form.js";
import { clearVaultKey } from "./_vault-session.js";

interface KeyMaterial {
  kdf: KdfParams;
  wrappedVaultKey: string;
  minIterations: number;
}

const pwForm = document.querySelector<HTMLFormElement>("#password-form");
if (pwForm) {
  onSubmit(pwForm, async () => {
    const current = field(pwForm, "current");
    const password = field(pwForm, "password");
    const problem = checkNewPassword(password, field(pwForm, "password2"));
    if (problem) throw new FormProblem(problem);
    const km = await api<KeyMaterial>("GET", "/api/account");
    const { authKey: currentAuthKey } = await derivePasswordKeys(current, km.kdf);
    // The vault key opens with the current password only: failing here means it was mistyped.
    const vaultKey = await openVaultWithPassword(current, km.kdf, km.wrappedVaultKey, true).catch((err: unknown) => {
      throw err instanceof CryptoError && !(err instanceof CryptoInputError) ? new FormProblem("The current password is wrong.") : err;
    });
    const next = await passwordMaterial(password, Math.max(km.minIterations, km.kdf.iterations), vaultKey);
    await api("POST", "/api/account/password", { currentAuthKey, ...next });
    pwForm.reset();
    const ok = pwForm.querySelector<HTMLElement>(".ok")!;
    ok.textContent = "Your password was changed. Other devices were signed out.";
    ok.hidden = false;
  });
}

const delForm = document.querySelector<HTMLFormElement>("#delete-form");
if (delForm) {
  onSubmit(delForm, async () => {
    if (!field(delForm, "confirm")) throw new FormProblem("Tick the box to confirm.");
    const km = await api<KeyMaterial>("GET", "/api/account");
    const { authKey } = await derivePasswordKeys(field(delForm, "password"), km.kdf);
    await api("POST", "/api/account/delete", { authKey });
    await clearVaultKey();
    location.assign("/");
  });
}
