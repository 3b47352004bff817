// The Passport consent page (views/consent-passport.njk): the holder's documents are opened and
// sealed for the client here; the server only receives the JWE. zod's no-eval switch comes first,
// before the document schemas are built.
import "./vault/no-eval.js";
import "./common.js";
import { describeError } from "./_form.js";
import { showConsent } from "./consent/page.js";

const root = document.querySelector<HTMLElement>("#consent[data-uid]");
if (root) {
  showConsent(root).catch((err) => {
    const p = document.createElement("p");
    p.className = "error";
    p.id = "consent-error";
    p.setAttribute("role", "alert");
    p.textContent = describeError(err);
    root.replaceChildren(p);
  });
}
