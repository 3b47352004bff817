// Loaded on every page: signing out also forgets the vault key held in this browser, both from
// Passport's own "Sign out" and from the confirmation page of a relying party's logout request.
import { clearVaultKey } from "./_vault-session.js";

/** Clears the key, then submits as the holder asked; a named submit button's value is kept. */
function forgetKeyThenSubmit(form: HTMLFormElement, submitter: HTMLElement | null): void {
  if (submitter instanceof HTMLButtonElement && submitter.name) {
    const choice = document.createElement("input");
    choice.type = "hidden";
    choice.name = submitter.name;
    choice.value = submitter.value;
    form.append(choice);
  }
  void clearVaultKey().finally(() => form.submit());
}

// Times rendered by the server (the `date` filter) in the holder's own time zone and locale.
const localTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
document.querySelectorAll<HTMLTimeElement>("time[data-local]").forEach((el) => {
  const at = new Date(el.dateTime);
  if (!Number.isNaN(at.getTime())) el.textContent = localTime.format(at);
});

// Pages shown only to signed-out visitors (home, sign-in, "signed out") carry data-signed-out: a
// key left behind by a session that ended elsewhere (expiry, logout at a relying party) goes.
if (document.body.hasAttribute("data-signed-out")) void clearVaultKey();

document.querySelectorAll<HTMLFormElement>('form[action="/signout"]').forEach((form) => {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    forgetKeyThenSubmit(form, ev.submitter);
  });
});

// oidc-provider's logout form: "Yes, sign me out" (name="logout") ends the Passport session too;
// "No, stay signed in" only signs out of the relying party, so the key stays.
const logoutForm = document.getElementById("op.logoutForm");
if (logoutForm instanceof HTMLFormElement) {
  logoutForm.addEventListener("submit", (ev) => {
    if ((ev.submitter as HTMLButtonElement | null)?.name !== "logout") return;
    ev.preventDefault();
    forgetKeyThenSubmit(logoutForm, ev.submitter);
  });
}
