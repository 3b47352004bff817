// Sign-in: ask for the account's KDF parameters, derive keys from the password here, send only
// the authKey, then open the vault key with the password-derived key and keep it in this browser.
import "./common.js";
import { derivePasswordKeys, unwrapVaultKey, type KdfParams } from "../crypto/index.js";
import { api } from "./_api.js";
import { field, onSubmit, FormProblem } from "./_form.js";
import { storeVaultKey } from "./_vault-session.js";

const form = document.querySelector<HTMLFormElement>("#signin-form");
if (form) {
  onSubmit(form, async () => {
    const email = field(form, "email").trim();
    const password = field(form, "password");
    if (!email || !password) throw new FormProblem("Enter your email and password.");
    const { kdf } = await api<{ kdf: KdfParams }>("POST", "/api/prelogin", { email });
    const { authKey, kek } = await derivePasswordKeys(password, kdf);
    const { wrappedVaultKey } = await api<{ wrappedVaultKey: string }>("POST", "/api/session", { email, authKey });
    await storeVaultKey(await unwrapVaultKey(wrappedVaultKey, kek, "password"));
    location.assign(form.dataset.next || "/");
  });
}
