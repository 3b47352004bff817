// Failures in words for a verifier member: the API's and the page's own messages as they are, and
// the credential library's (a sealed part that does not open, a damaged key) with a capital.
import { CredentialError } from "../../credentials/index.js";
import { describeError } from "../_form.js";

export function explain(err: unknown): string {
  if (err instanceof CredentialError) return `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`;
  return describeError(err);
}
