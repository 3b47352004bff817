// Shared steps of the admin page tests: a signed-in browser, the registration form, reading the
// pages, and a relying party calling the token endpoint.
import assert from "node:assert/strict";
import { Agent, type AgentResponse } from "../helpers/agent.js";
import { authKeyFor, createHolder, type TestHolder } from "../helpers/accounts.js";
import type { TestServer } from "../helpers/server.js";

/** A browser signed in to Passport (as an admin or not), holding the CSRF token of a page. */
export async function signedIn(s: TestServer, admin: boolean): Promise<{ agent: Agent; holder: TestHolder }> {
  const holder = await createHolder(s.app.container, { admin });
  const agent = new Agent(s.url);
  await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: holder.email } });
  const authKey = await authKeyFor(holder.password, pre.json().kdf);
  const res = await agent.request("POST", "/api/session", { json: { email: holder.email, authKey } });
  assert.equal(res.status, 200, res.text);
  return { agent, holder };
}

export type FormPairs = [string, string][];

/** A valid confidential client as the form posts it; `over` replaces fields (a list value repeats the name). */
export function clientForm(over: Record<string, string | string[]> = {}): FormPairs {
  const fields: Record<string, string | string[]> = {
    name: "Acme Bank",
    logoUri: "",
    redirectUris: "https://rp.example/cb\nhttps://rp.example/cb2",
    postLogoutRedirectUris: "",
    type: "confidential",
    tokenEndpointAuthMethod: "client_secret_basic",
    grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
    scopes: ["openid", "email"],
    jwks: "",
    jwksUri: "",
    subjectType: "pairwise",
    idTokenSignedResponseAlg: "",
    idTokenEncryptedResponseAlg: "",
    idTokenEncryptedResponseEnc: "",
    userinfoSignedResponseAlg: "",
    userinfoEncryptedResponseAlg: "",
    userinfoEncryptedResponseEnc: "",
    ...over,
  };
  return Object.entries(fields).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]));
}

/** Registers a client through the page; returns its id and the secret the page showed. */
export async function registerClient(agent: Agent, over: Record<string, string | string[]> = {}, base = "/admin"): Promise<{ clientId: string; secret: string; page: AgentResponse }> {
  const page = await postAndFollow(agent, `${base}/clients`, clientForm(over));
  assert.equal(page.status, 200, page.text);
  return { clientId: textOf(page.text, "client-id"), secret: textOf(page.text, "client-secret"), page };
}

/** A form POST answered by a redirect (POST → redirect → GET): the page it leads to. */
export async function postAndFollow(agent: Agent, path: string, form: FormPairs | Record<string, string>): Promise<AgentResponse> {
  const res = await agent.request("POST", path, { form });
  assert.equal(res.status, 303, res.text);
  return agent.get(res.location!);
}

/** The text of the element with this id (ids are unique on our pages). */
export function textOf(html: string, id: string): string {
  const m = html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`));
  assert.ok(m, `no element #${id} on the page`);
  return unescape(m[1]!.trim());
}

/** The field error shown beside a form field, or null when there is none. */
export function fieldError(html: string, field: string): string | null {
  const m = html.match(new RegExp(`id="error-${field}"[^>]*>([^<]*)<`));
  return m ? unescape(m[1]!) : null;
}

/** What an auto-escaping template prints for this text. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A relying party asking for a client_credentials token with HTTP Basic authentication. */
export async function clientCredentials(base: string, clientId: string, secret: string): Promise<{ status: number; body: { error?: string; access_token?: string } }> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64");
  const res = await fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
    body: "grant_type=client_credentials",
  });
  return { status: res.status, body: (await res.json()) as { error?: string; access_token?: string } };
}

/** A public RSA encryption key, as a relying party would register it. */
export async function rsaEncryptionJwks(): Promise<string> {
  const { generateKeyPair, exportJWK } = await import("jose");
  const { publicKey } = await generateKeyPair("RSA-OAEP-256", { extractable: true });
  return JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), use: "enc", kid: "rp-enc-1" }] });
}
