// The playground's relying party, run in this browser exactly as an outside one runs its own code:
// the authorization code flow with state, nonce and PKCE S256, the code redeemed at the token
// endpoint as a public client, the ID token checked against the provider's JWKS, userinfo read,
// and the `passport` JWE and scans opened with the SDK and the non-extractable private key.
import { createRemoteJWKSet, jwtVerify } from "jose";
import { b64uEncode, randomBytes } from "../../crypto/index.js";
import { downloadScan, openPassport, verifyCredentials, type CredentialsReport, type PassportPayload } from "../../sdk/index.js";
import { clientForFlow, loadClient } from "./keys.js";

/** Per-request secrets live in this tab only, under the state they belong to, and are read once. */
const PENDING = "passport-playground:";

interface Pending {
  clientId: string;
  verifier: string;
  nonce: string;
  /** "Use my own client": a developer's registered client, with its secret if it has one. */
  own?: { secret: string | null; auth?: OwnClient["auth"] };
}

/** A developer's own client typed into the page (see views/playground.njk). */
export interface OwnClient {
  clientId: string;
  secret: string | null;
  /** How the secret goes to the token endpoint: the method the client registered. */
  auth: "client_secret_basic" | "client_secret_post" | "none";
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
}

export interface FlowResult {
  userinfo: Record<string, unknown>;
  jwe: string | null;
  payload: PassportPayload | null;
  /** The SDK's check of every attestation in the payload (null without a payload). */
  credentials: CredentialsReport | null;
  scans: { type: string; role: string; mime: string; size: number; bytes: Uint8Array }[];
}

/** A failure the page shows as it is. */
export class FlowError extends Error {}

async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, { credentials: "omit" });
  if (!res.ok) throw new FlowError(`discovery failed (HTTP ${res.status})`);
  const d = (await res.json()) as Discovery;
  if (d.issuer !== issuer) throw new FlowError(`discovery names issuer ${d.issuer}, not ${issuer}`);
  return d;
}

const random = () => b64uEncode(randomBytes(32));

/** Registers (or reuses) this browser's client, remembers the request's secrets, and returns where to go. */
export async function authorizationUrl(issuer: string, redirectUri: string, scope: string, claims: string | undefined, own?: OwnClient): Promise<string> {
  const [client, d] = await Promise.all([own ? own : clientForFlow(issuer), discover(issuer)]);
  const pending: Pending = { clientId: client.clientId, verifier: random(), nonce: random(), ...(own ? { own: { secret: own.secret, auth: own.auth } } : {}) };
  const state = random();
  const challenge = b64uEncode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pending.verifier))));
  sessionStorage.setItem(PENDING + state, JSON.stringify(pending));
  const url = new URL(d.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: client.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope,
    state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...(claims ? { claims } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function takePending(state: string | null): Pending {
  const raw = state ? sessionStorage.getItem(PENDING + state) : null;
  if (state) sessionStorage.removeItem(PENDING + state);
  if (!raw) throw new FlowError("This playground result has no matching request (expired or opened twice). Start again from /playground.");
  return JSON.parse(raw) as Pending;
}

/** RFC 6749 2.3.1: HTTP Basic with the form-encoded id and secret. */
const basic = (id: string, secret: string) => {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, "+");
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
};

/** The developer's own client authenticates the way it registered: secret in the body, in Basic, or none. */
function ownClientAuth(p: Pending): { secret: Record<string, string>; authorization: Record<string, string> } {
  const own = p.own;
  if (!own?.secret || own.auth === "none") return { secret: {}, authorization: {} };
  if (own.auth === "client_secret_basic") return { secret: {}, authorization: { authorization: basic(p.clientId, own.secret) } };
  return { secret: { client_secret: own.secret }, authorization: {} };
}

/** Finishes the flow from the callback address: the code (or the error) the provider sent back. */
export async function finish(issuer: string, redirectUri: string, callback: URL): Promise<FlowResult> {
  const q = callback.searchParams;
  // A response must answer a request this tab made; only an error without any state (the provider
  // could not tell whose request it was) is shown without one.
  const pending = q.has("state") || !q.has("error") ? takePending(q.get("state")) : null;
  if (q.has("error")) throw new FlowError(`${q.get("error")}: ${q.get("error_description") ?? ""}`);
  if (q.has("iss") && q.get("iss") !== issuer) throw new FlowError(`the response came from ${q.get("iss")}, not ${issuer}`);
  const code = q.get("code");
  if (!code || !pending) throw new FlowError("the callback carries no authorization code");
  const client = pending.own ? null : await loadClient(issuer);
  if (!pending.own && (!client || client.clientId !== pending.clientId)) throw new FlowError("this browser no longer holds the key the request was made with; start again");
  const d = await discover(issuer);

  const { secret, authorization } = ownClientAuth(pending);
  const tokenRes = await fetch(d.token_endpoint, {
    method: "POST",
    credentials: "omit",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...authorization },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: pending.clientId, code_verifier: pending.verifier, ...secret }),
  });
  const tokens = (await tokenRes.json().catch(() => ({}))) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!tokenRes.ok || !tokens.access_token || !tokens.id_token) throw new FlowError(`the code was not redeemed: ${tokens.error ?? tokenRes.status}: ${tokens.error_description ?? ""}`);

  const { payload: idToken } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(d.jwks_uri)), { issuer, audience: pending.clientId });
  if (idToken.nonce !== pending.nonce) throw new FlowError("the ID token's nonce does not match this request");

  const infoRes = await fetch(d.userinfo_endpoint, { credentials: "omit", headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" } });
  if (!infoRes.ok) throw new FlowError(`userinfo failed (HTTP ${infoRes.status})`);
  const userinfo = (await infoRes.json()) as Record<string, unknown>;
  if (userinfo.sub !== idToken.sub) throw new FlowError("userinfo belongs to another subject than the ID token");

  const jwe = typeof userinfo.passport === "string" ? userinfo.passport : null;
  // A developer's own client asks for plain OpenID scopes only: there is no payload to open here.
  if (!jwe || !client) return { userinfo, jwe: null, payload: null, credentials: null, scans: [] };
  const payload = await openPassport(jwe, client.privateKey, { issuer, clientId: client.clientId, nonce: pending.nonce, sub: idToken.sub });
  const scans: FlowResult["scans"] = [];
  for (const [type, doc] of Object.entries(payload.data)) {
    for (const f of doc!.files) {
      const bytes = await downloadScan(issuer, tokens.access_token, f, (input, init) => fetch(input, { ...init, credentials: "omit" }));
      scans.push({ type, role: f.role, mime: f.mime, size: bytes.length, bytes });
    }
  }
  // Each verifier's attestation is checked here as any relying party would: its published keys, the
  // key binding to this client and nonce, expiry and the status list.
  const credentials = await verifyCredentials(payload, { issuer, clientId: client.clientId, nonce: pending.nonce, fetch: (input, init) => fetch(input, { ...init, credentials: "omit" }) });
  return { userinfo, jwe, payload, credentials, scans };
}
