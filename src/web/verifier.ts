// The verifier console (views/verifier/console.njk): everything sealed for the verifier is opened
// here, with the verifier's keys, which this browser opens with the member's own holder key.
import "./vault/no-eval.js";
import "./common.js";
import { explain } from "./verifier/explain.js";
import { showConsole } from "./verifier/page.js";

if (document.body.dataset.page === "verifier") {
  showConsole().catch((err) => {
    const box = document.querySelector<HTMLElement>("#console-error");
    if (box) {
      box.textContent = explain(err);
      box.hidden = false;
    }
    const status = document.querySelector<HTMLElement>("#console-status");
    if (status) status.textContent = "";
  });
}
