// openid-client 6 as a real relying party against a test server, and the holder's browser walk
// (Agent) through the sign-in and consent pages in between.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as client from "openid-client";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { ClientInputRaw } from "../../src/services/client-schema.js";
import type { TestServer } from "./server.js";
import type { TestHolder } from "./accounts.js";
import { authKeyFor } from "./accounts.js";
import type { Agent, AgentResponse } from "./agent.js";

/** The relying party's callback. Nothing listens there: the Agent stops at the redirect. */
export const CALLBACK = "http://localhost:8080/cb";

/** A confidential client (Basic authentication) that signs holders in and refreshes their tokens. */
export const REFRESHING_CLIENT = {
  redirectUris: [CALLBACK],
  type: "confidential",
  tokenEndpointAuthMethod: "client_secret_basic",
  grantTypes: ["authorization_code", "refresh_token"],
  scopes: ["openid", "email", "offline_access"],
} satisfies Partial<ClientInputRaw>;
export const LOGOUT_CALLBACK = "http://localhost:8080/logged-out";

/**
 * A relying party's callback that a real browser can land on: a plain page on loopback. `url` is
 * the redirect URI to register (the Agent-based tests use CALLBACK, where nothing listens).
 */
export async function startCallback(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><html lang=en><title>Relying party</title><p>Back at the relying party.</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Rp {
  clientId: string;
  secret: string | null;
  config: client.Configuration;
}

/** Discovers the server as `clientId`; plain http is allowed because the test server is on loopback. */
export async function rpConfig(
  s: TestServer,
  clientId: string,
  metadata: Partial<client.ClientMetadata> = {},
  auth?: client.ClientAuth,
): Promise<client.Configuration> {
  return client.discovery(new URL(s.url), clientId, metadata, auth, { execute: [client.allowInsecureRequests] });
}

/**
 * Registers a client through the ClientService (defaults: confidential, client_secret_basic,
 * CALLBACK) and returns an openid-client configuration for it. `metadata` tells openid-client what
 * the client registered (signed or encrypted responses) so it checks the answers accordingly.
 */
export async function registerRp(
  s: TestServer,
  input: Partial<ClientInputRaw> = {},
  rp: { auth?: (secret: string | null) => client.ClientAuth; metadata?: Partial<client.ClientMetadata> } = {},
): Promise<Rp> {
  const { client: view, secret } = await s.app.container.clients.create({
    name: "Test RP",
    redirectUris: [CALLBACK],
    type: "confidential",
    tokenEndpointAuthMethod: "client_secret_basic",
    ...input,
  });
  const metadata: Partial<client.ClientMetadata> = { ...(secret ? { client_secret: secret } : {}), ...rp.metadata };
  const config = await rpConfig(s, view.clientId, metadata, rp.auth?.(secret));
  return { clientId: view.clientId, secret, config };
}

export interface AuthRequest {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

/** An authorization URL with PKCE S256, a nonce and a state; `params` override or add parameters. */
export async function authRequest(config: client.Configuration, params: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: "openid email",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    state,
    ...params,
  });
  return { url, verifier, nonce, state };
}

/** Redeems the code in `callback` with every check openid-client offers for this request. */
export function redeem(config: client.Configuration, callback: URL, req: AuthRequest) {
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: req.verifier,
    expectedNonce: req.nonce,
    expectedState: req.state,
    idTokenExpected: true,
  });
}

/** Signs the holder in through the JSON API, deriving the authKey the way the browser does. */
export async function signIn(agent: Agent, holder: TestHolder): Promise<AgentResponse> {
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: holder.email } });
  assert.equal(pre.status, 200, `prelogin: ${pre.text}`);
  const authKey = await authKeyFor(holder.password, pre.json().kdf);
  const res = await agent.request("POST", "/api/session", { json: { email: holder.email, authKey } });
  assert.equal(res.status, 200, `sign-in: ${res.text}`);
  return res;
}

export type PageKind = "login" | "consent" | "other";

/** Which interaction page the server answered with. */
export function pageKind(res: AgentResponse & { url: string }): PageKind {
  if (res.status !== 200 || !new URL(res.url).pathname.startsWith("/interaction/")) return "other";
  if (res.text.includes('id="signin-form"')) return "login";
  if (/action="\/interaction\/[^"]+\/confirm"/.test(res.text)) return "consent";
  return "other";
}

/** Presses Allow or Deny on a consent page; returns where the server sends the browser next. */
export async function answerConsent(agent: Agent, page: AgentResponse & { url: string }, answer: "allow" | "deny"): Promise<string> {
  const uid = new URL(page.url).pathname.split("/")[2];
  const res = await agent.request("POST", `/interaction/${uid}/${answer === "deny" ? "abort" : "confirm"}`, { form: {} });
  assert.equal(res.status, 303, `consent answer: ${res.text.slice(0, 300)}`);
  return res.location!;
}

/** The scopes a consent page asks for. */
export function consentScopes(page: AgentResponse): string[] {
  return [...page.text.matchAll(/data-scope="([^"]+)"/g)].map((m) => m[1]!);
}

export interface Walk {
  /** Where the server finally sent the browser (the client's redirect URI with code or error). */
  callback: URL;
  sawLogin: boolean;
  sawConsent: boolean;
}

/**
 * Plays the holder's browser from an authorization URL to the client's redirect URI: signs in when
 * the sign-in page shows (only if `holder` is given), and allows (or denies) on the consent page.
 */
export async function walk(agent: Agent, url: URL | string, opts: { holder?: TestHolder; consent?: "allow" | "deny" } = {}): Promise<Walk> {
  let current = url.toString();
  let sawLogin = false;
  let sawConsent = false;
  for (let step = 0; step < 6; step++) {
    const res = await agent.follow(current);
    if (new URL(res.url).origin !== new URL(agent.base).origin) return { callback: new URL(res.url), sawLogin, sawConsent };
    const kind = pageKind(res);
    if (kind === "login" && opts.holder && !sawLogin) {
      sawLogin = true;
      await signIn(agent, opts.holder);
      current = res.url;
    } else if (kind === "consent" && !sawConsent) {
      sawConsent = true;
      current = await answerConsent(agent, res, opts.consent ?? "allow");
    } else {
      throw new Error(`unexpected ${kind} page (status ${res.status}) at ${res.url}: ${res.text.slice(0, 300)}`);
    }
  }
  throw new Error(`no redirect to the client after 6 steps from ${url}`);
}

/** A full code flow: authorize, walk, redeem. */
export async function codeFlow(rp: Rp, agent: Agent, holder: TestHolder, params: Record<string, string> = {}) {
  const req = await authRequest(rp.config, params);
  const w = await walk(agent, req.url, { holder });
  const tokens = await redeem(rp.config, w.callback, req);
  return { req, walk: w, tokens, claims: tokens.claims()! };
}

/** The OAuth error a redirect carries (query, or fragment for response types that default to it). */
export function redirectError(callback: URL): { error: string | null; description: string | null; state: string | null } {
  const p = callback.searchParams.has("error") ? callback.searchParams : new URLSearchParams(callback.hash.slice(1));
  return { error: p.get("error"), description: p.get("error_description"), state: p.get("state") };
}

/** Asserts that `promise` fails with the OAuth error code `error` (ResponseBodyError from openid-client). */
export async function rejectsWith(promise: Promise<unknown>, error: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof client.ResponseBodyError, `expected an OAuth error response, got ${String(err)}`);
    assert.equal(err.error, error, err.error_description);
    return true;
  });
}

/** A public JWK as the client registration schema takes it. */
export type PublicJwk = JWK & { kty: "RSA" | "EC" | "OKP"; kid: string; alg: string; use: "sig" | "enc" };

/** A relying party's key pair: the private key stays with the test, the public JWK gets registered. */
export async function rpKeyPair(alg: string, kid: string, opts: { crv?: string } = {}): Promise<{ privateKey: CryptoKey; publicJwk: PublicJwk }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: opts.crv });
  const jwk = await exportJWK(publicKey);
  const kty = jwk.kty as PublicJwk["kty"];
  assert.ok(["RSA", "EC", "OKP"].includes(kty), `unexpected key type ${kty}`);
  const use = /^(RSA-OAEP|ECDH-ES)/.test(alg) ? "enc" : "sig";
  return { privateKey, publicJwk: { ...jwk, kty, kid, alg, use } };
}
