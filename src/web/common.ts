// Loaded on every page: signing out also forgets the vault key held in this browser.
import { clearVaultKey } from "./_vault-session.js";

document.querySelectorAll<HTMLFormElement>('form[action="/signout"]').forEach((form) => {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void clearVaultKey().finally(() => form.submit());
  });
});
