// Sign-in: ask for the account's KDF parameters, derive keys from the password here, send only
// the authKey, then open the vault key with the password-derived key and keep it in this browser.
// The recipe (with the KDF floor and the cost upgrade) is in _signin.ts.
import "./common.js";
import { api } from "./_api.js";
import { field, onSubmit, FormProblem } from "./_form.js";
import { signInWithPassword } from "./_signin.js";
import { storeVaultKey } from "./_vault-session.js";

const form = document.querySelector<HTMLFormElement>("#signin-form");
if (form) {
  onSubmit(form, async () => {
    const email = field(form, "email").trim();
    const password = field(form, "password");
    if (!email || !password) throw new FormProblem("Enter your email and password.");
    const { vaultKey, recoveryKeyConfirmed } = await signInWithPassword(api, email, password).catch((err: unknown) => {
      // The browser's passkey prompt was cancelled or timed out.
      if (err instanceof Error && err.name === "NotAllowedError") throw new FormProblem("The passkey was not used (cancelled or timed out). Sign in again to retry.");
      if (err instanceof Error && /WebAuthn is not supported/.test(err.message)) {
        throw new FormProblem("Your account asks for a passkey, and this browser cannot use one. Sign in with a browser that can, or reset your password with your recovery key.");
      }
      throw err;
    });
    await storeVaultKey(vaultKey);
    const next = form.dataset.next || "/";
    // A sign-up left before the recovery key was confirmed: finish that first, then go on.
    location.assign(recoveryKeyConfirmed ? next : `/recovery-key?next=${encodeURIComponent(next)}`);
  });
}
