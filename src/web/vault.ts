// The vault pages (views/vault/): the overview at /vault and the edit page of each document type
// at /vault/<type>. Everything is decrypted and encrypted here, with the vault key this browser
// holds since sign-in.
import "./vault/no-eval.js";
import "./common.js";
import { describeError } from "./_form.js";
import { showEditor } from "./vault/editor.js";
import { showVault } from "./vault/overview.js";

function fail(err: unknown): void {
  const box = document.querySelector<HTMLElement>("#vault-error");
  if (!box) return;
  box.textContent = describeError(err);
  box.hidden = false;
}

const page = document.body.dataset.page;
const form = document.querySelector<HTMLFormElement>("#doc-form");
if (page === "vault") showVault().catch(fail);
else if (page === "vault-edit" && form) showEditor(form).catch(fail);
