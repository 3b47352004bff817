// The "claims without documents" part of the consent page (scope passport:derived): exactly the
// claims that will go, in words ("You are over 18 — verified by KYC desk under eidas, high"), with
// no document shown because none goes. Optional claims can be left out; required ones cannot.
// When no attestation answers, it says so and names the verifiers that would.
import { derivedClaimsOf, derivedCredential, type OpenedCredential } from "../../sharing/credentials.js";
import { verifiersMeeting } from "../../sharing/verified.js";
import { el } from "../vault/dom.js";
import type { ConsentContext } from "./load.js";
import { typeLabel } from "./words.js";

const AGE = /^age_over_(\d+)$/;

/** One derived claim as a sentence about the holder. */
export function derivedWords(name: string, value: unknown): string {
  const age = AGE.exec(name);
  if (age) return value === true ? `You are over ${age[1]}` : `You are not over ${age[1]}`;
  if (name === "nationality") return `Your nationality: ${String(value)}`;
  if (name === "document_valid") return value === true ? "Your identity document is valid (not expired)" : "Your identity document has expired";
  return `${name.replace(/_/g, " ")}: ${String(value)}`;
}

export function byWhom(c: OpenedCredential): string {
  const v = c.meta.verification;
  return `verified by ${c.meta.verifier.name} under ${v.trust_framework}${v.assurance_level ? `, ${v.assurance_level}` : ""}`;
}

/** The section; `withheld` holds the optional claims the holder unticked, `changed` redraws. */
export function renderDerived(ctx: ConsentContext, withheld: Set<string>, changed: () => void): HTMLElement | null {
  const { request, client } = ctx.consent;
  if (!request.derived) return null;
  const credential = derivedCredential(request, ctx.verified.credentials, Date.now());
  const box = el("section", { class: "card consent-entry consent-derived", "data-key": "derived" }, el("h2", {}, "Verified facts about you, without any document"));
  if (!credential) {
    const verifiers = ["personal_details", "passport", "identity_card"].flatMap((t) => verifiersMeeting(ctx.verified.verifiers, t, request.verification).map((v) => ({ v, t })));
    box.append(
      el("p", {}, `${client.name} asks for facts a verifier has attested, and none of your verified documents answers it${request.verification ? " to its standard" : ""}.`),
      verifiers.length
        ? el("p", { class: "consent-verifiers" }, "Get verified: ", ...verifiers.flatMap(({ v, t }, i) => [i ? " · " : "", el("a", { href: `/vault/${t}?verifier=${encodeURIComponent(v.slug)}`, "data-verifier": v.slug }, `${typeLabel(t)} by ${v.name}`)]))
        : el("p", { class: "small muted" }, "No verifier here checks documents to this standard yet."),
    );
    return box;
  }
  const names = derivedClaimsOf(request, credential);
  const rows = names.map((n) => {
    const id = `derived-${n}`;
    const required = request.derived!.claims[n] === "required";
    const input = el("input", { type: "checkbox", id, name: n, checked: required || !withheld.has(n), disabled: required });
    input.addEventListener("change", () => {
      if (input.checked) withheld.delete(n);
      else withheld.add(n);
      changed();
    });
    return el("li", { class: "consent-disclose" }, el("label", { class: "check", for: id }, input, el("span", {}, derivedWords(n, credential.summary.claims[n])), required ? el("span", { class: "tag required" }, "required") : null));
  });
  box.append(el("p", { class: "consent-reads" }, el("strong", {}, `${client.name} will learn: `), names.length ? "" : `that your identity is ${byWhom(credential)}.`));
  if (rows.length) box.append(el("ul", { class: "plain consent-derived-claims" }, ...rows));
  box.append(
    el("p", { class: "small consent-derived-by" }, `${names.length ? "Each " : "This is "}${byWhom(credential)} (from ${typeLabel(credential.meta.type).toLowerCase()}). No document, no field of it and no scan goes to ${client.name}.`),
  );
  return box;
}
