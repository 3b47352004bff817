// The playground (views/playground.njk, views/playground-result.njk): a relying party that lives
// in this browser. zod's no-eval switch comes first (the SDK parses the payload with zod).
import "./vault/no-eval.js";
import "./common.js";
import "./button.js";
import { finishCallback, startForm } from "./playground/page.js";

const form = document.querySelector<HTMLFormElement>("#playground-form");
if (form) startForm(form);
const result = document.querySelector<HTMLElement>("#playground-result");
if (result) void finishCallback(result);
