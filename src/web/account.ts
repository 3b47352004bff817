// Account page: change the password (re-wrap the vault key only), add passkeys, change the email
// and delete the account. Sessions, history and passkey renames are plain forms.
import "./common.js";
import { browserSupportsWebAuthn, startRegistration } from "@simplewebauthn/browser";
import { CryptoError, CryptoInputError, derivePasswordKeys, openVaultWithPassword, passwordMaterial, type KdfParams } from "../crypto/index.js";
import { api } from "./_api.js";
import { checkNewPassword, clearMessages, describeError, field, onSubmit, showError, FormProblem } from "./_form.js";
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

// Passkeys: the browser's WebAuthn prompt creates one; the server keeps its public key. The page
// reloads to list it (its rename and remove forms are plain forms).
const passkeyForm = document.querySelector<HTMLFormElement>("#passkey-form");
if (passkeyForm) {
  onSubmit(passkeyForm, async () => {
    const name = field(passkeyForm, "name").trim();
    if (!name) throw new FormProblem("Give the passkey a name, for example the device it is on.");
    if (!browserSupportsWebAuthn()) throw new FormProblem("This browser cannot create passkeys.");
    const options = await api<Parameters<typeof startRegistration>[0]["optionsJSON"]>("POST", "/api/account/passkeys/options");
    let response;
    try {
      response = await startRegistration({ optionsJSON: options });
    } catch (err) {
      if (err instanceof Error && (err.name === "NotAllowedError" || err.name === "InvalidStateError")) {
        throw new FormProblem(err.name === "InvalidStateError" ? "This device has a passkey for your account already." : "No passkey was created (cancelled or timed out).");
      }
      throw err;
    }
    await api("POST", "/api/account/passkeys", { name, response });
    location.assign("/account?done=passkey-added#passkeys");
  });
}

// Email change: first a code to the new address, then the code with the current password (the
// password is checked as it is everywhere: only the derived authKey leaves the page).
const emailForm = document.querySelector<HTMLFormElement>("#email-form");
if (emailForm) {
  const codeStep = emailForm.querySelector<HTMLElement>(".code-step")!;
  const submit = emailForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const resend = emailForm.querySelector<HTMLButtonElement>(".resend")!;
  const ok = emailForm.querySelector<HTMLElement>(".ok")!;
  const say = (text: string) => {
    ok.textContent = text;
    ok.hidden = false;
  };
  const sendCode = async () => {
    const email = field(emailForm, "email").trim();
    if (!email) throw new FormProblem("Enter the new email address.");
    await api("POST", "/api/account/email/code", { email });
    codeStep.hidden = false;
    resend.hidden = false;
    submit.textContent = "Change email";
    say(`We sent a code to ${email}. Enter it with your current password.`);
    emailForm.querySelector<HTMLInputElement>('input[name="code"]')!.focus();
  };
  resend.addEventListener("click", () => {
    clearMessages(emailForm);
    sendCode().catch((err) => showError(emailForm, describeError(err)));
  });
  onSubmit(emailForm, async () => {
    if (codeStep.hidden) return sendCode();
    const email = field(emailForm, "email").trim();
    const code = field(emailForm, "code").trim();
    const current = field(emailForm, "current");
    if (!/^\d{6}$/.test(code)) throw new FormProblem("Enter the 6 digits from the mail.");
    if (!current) throw new FormProblem("Enter your current password.");
    const km = await api<KeyMaterial>("GET", "/api/account");
    const { authKey: currentAuthKey } = await derivePasswordKeys(current, km.kdf);
    const res = await api<{ email: string; notified: boolean }>("POST", "/api/account/email", { email, code, currentAuthKey });
    document.querySelectorAll("#account-email, header .who").forEach((el) => (el.textContent = res.email));
    emailForm.reset();
    codeStep.hidden = true;
    resend.hidden = true;
    submit.textContent = "Send a code";
    say(`You now sign in with ${res.email}.${res.notified ? " Your old address was told." : ""}`);
  });
}
