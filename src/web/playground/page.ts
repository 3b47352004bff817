// The two playground pages: the form (which starts a flow) and the callback (which finishes it
// and shows the raw JWE, the payload decrypted here and the scans).
import type { CredentialCheck } from "../../sdk/index.js";
import { ApiError } from "../_api.js";
import { describeError } from "../_form.js";
import { playgroundClaims, type Want } from "./claims.js";
import { authorizationUrl, finish, FlowError, type FlowResult, type OwnClient } from "./flow.js";

function showError(root: HTMLElement, message: string): void {
  const p = root.querySelector<HTMLElement>("#playground-error")!;
  p.textContent = message;
  p.hidden = false;
}

function message(err: unknown): string {
  if (err instanceof FlowError) return err.message;
  if (err instanceof ApiError) return describeError(err);
  // The SDK's and jose's checks (wrong nonce, audience, a scan that does not match its hash, …).
  if (err instanceof Error) return `the relying party could not finish: ${err.message}`;
  return describeError(err);
}

const ownAuth = (v: FormDataEntryValue | null): OwnClient["auth"] => (v === "client_secret_basic" || v === "none" ? v : "client_secret_post");

export function startForm(form: HTMLFormElement): void {
  const { issuer, redirectUri } = form.dataset as { issuer: string; redirectUri: string };
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const scopes = data.getAll("scope").map(String);
    const want = (name: string) => (String(data.get(name) ?? "no")) as Want;
    // "Use my own client": plain OpenID scopes only (no key here to open a Passport payload with).
    const ownId = String(data.get("own_client_id") ?? "").trim();
    const own = ownId ? { clientId: ownId, secret: String(data.get("own_client_secret") ?? "").trim() || null, auth: ownAuth(data.get("own_client_auth")) } : undefined;
    const claims = own ? undefined : playgroundClaims({ scopes, selfie: want("selfie"), translation: want("translation"), nativeNames: want("native_names"), verifiedOnly: data.get("verified_only") === "on" });
    const scope = own ? ["openid", ...scopes.filter((s) => !s.startsWith("passport:"))] : ["openid", ...scopes];
    button.disabled = true;
    form.querySelector<HTMLElement>("#playground-error")!.hidden = true;
    authorizationUrl(issuer, redirectUri, scope.join(" "), claims, own)
      .then((url) => location.assign(url))
      .catch((err) => {
        showError(form, message(err));
        button.disabled = false;
      });
  });
}

/** File keys are shown shortened: the page is for looking, not for copying secrets around. */
const redactKeys = (payload: unknown): unknown => JSON.parse(JSON.stringify(payload), (k, v) => (k === "key" && typeof v === "string" ? `${v.slice(0, 6)}…` : v));

const dataUrl = (bytes: Uint8Array, mime: string) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  });

async function show(root: HTMLElement, r: FlowResult): Promise<void> {
  const part = (name: string) => root.querySelectorAll<HTMLElement>(`[data-part=${name}]`).forEach((el) => (el.hidden = false));
  const text = (id: string, value: string) => (root.querySelector<HTMLElement>(`#${id}`)!.textContent = value);
  text("userinfo", JSON.stringify({ ...r.userinfo, ...(r.jwe ? { passport: "(the JWE below)" } : {}) }, null, 2));
  part("userinfo");
  if (!r.jwe || !r.payload) return part("no-payload");
  text("raw-jwe", r.jwe);
  text("decrypted", JSON.stringify(redactKeys(r.payload), null, 2));
  part("jwe");
  if (r.credentials?.items.length) {
    root.querySelector("#attestations")!.replaceChildren(...r.credentials.items.map(attestationRow));
    part("attestations");
  }
  if (!r.scans.length) return;
  const figures = await Promise.all(
    r.scans.map(async (s) => {
      const figure = document.createElement("figure");
      if (s.mime === "image/jpeg" || s.mime === "image/png") {
        const img = document.createElement("img");
        img.className = "scan-preview";
        img.alt = `${s.type} ${s.role}`;
        img.src = await dataUrl(s.bytes, s.mime);
        figure.append(img);
      } else {
        const icon = document.createElement("div");
        icon.className = "file-icon";
        icon.textContent = s.mime;
        figure.append(icon);
      }
      const caption = document.createElement("figcaption");
      caption.textContent = `${s.type} · ${s.role} · ${s.size} bytes`;
      figure.append(caption);
      return figure;
    }),
  );
  root.querySelector("#scans")!.replaceChildren(...figures);
  part("scans");
}

/** One item's verdict: verified by which issuer under which framework, or why not. */
function attestationRow(c: CredentialCheck): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset.item = c.item;
  const name = c.item.replace(/_/g, " ");
  const claims = Object.entries(c.claims).map(([k, v]) => `${k}${v.verified ? "" : ` (${v.reason})`}`).join(", ");
  if (c.verified) {
    const v = c.verification;
    li.className = "verified";
    li.textContent = `${name}: verified by ${c.iss}${v ? ` under ${v.trust_framework}${v.assurance_level ? `, ${v.assurance_level}` : ""}` : ""}. Claims: ${claims || "none disclosed"}.`;
  } else {
    li.className = "not-verified";
    li.textContent = c.reason === "not_attested" ? `${name}: not verified (no attestation: self-asserted).` : `${name}: NOT verified: ${c.reason}${c.message ? ` (${c.message})` : ""}.`;
  }
  return li;
}

export async function finishCallback(root: HTMLElement): Promise<void> {
  const { issuer, redirectUri } = root.dataset as { issuer: string; redirectUri: string };
  const callback = new URL(location.href);
  // The code is single-use: drop it from the address so a reload does not try it again.
  history.replaceState(null, "", location.pathname);
  try {
    await show(root, await finish(issuer, redirectUri, callback));
  } catch (err) {
    showError(root, message(err));
  } finally {
    root.querySelector<HTMLElement>("#playground-progress")!.hidden = true;
    root.dataset.done = "1";
  }
}
