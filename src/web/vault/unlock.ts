// The vault key for this page: the one kept in IndexedDB since sign-in, or, when this browser has
// none (cleared storage, a key forgotten at sign-out elsewhere), opened again with the password.
import { openVaultWithPassword, type KdfParams } from "../../crypto/index.js";
import { api } from "../_api.js";
import { field, FormProblem, onSubmit } from "../_form.js";
import { loadVaultKey, storeVaultKey } from "../_vault-session.js";
import { must } from "./dom.js";

/** Shown wherever the page would otherwise say "Loading…" while it waits for the password. */
export const LOCKED_TEXT = "Locked: enter your password";

/** `onLocked` runs when the password is needed, so the page can say why it is waiting. */
export async function vaultKey(onLocked?: () => void): Promise<CryptoKey> {
  const stored = await loadVaultKey().catch(() => undefined);
  if (stored) return stored;
  onLocked?.();
  return askForPassword();
}

function askForPassword(): Promise<CryptoKey> {
  const form = must<HTMLFormElement>(document, "#unlock-form");
  form.hidden = false;
  form.querySelector<HTMLInputElement>("input[name=password]")?.focus();
  return new Promise((resolve) => {
    onSubmit(form, async () => {
      const password = field(form, "password");
      if (!password) throw new FormProblem("Enter your password.");
      const { kdf, wrappedVaultKey } = await api<{ kdf: KdfParams; wrappedVaultKey: string }>("GET", "/api/account");
      const key = await openVaultWithPassword(password, kdf, wrappedVaultKey);
      await storeVaultKey(key);
      form.reset();
      form.hidden = true;
      resolve(key);
    });
  });
}
