// Complete sign-ins: authorization code flow with PKCE S256 and a nonce, each in a fresh browser
// (cookie jar), from /auth through the interaction to the code and its redemption at /token.
// On Passport the browser signs in as the pages' scripts do (prelogin, PBKDF2 + HKDF on the
// client side, /api/session with an argon2id check at the server's default cost) and confirms
// consent; on the bare provider the interaction logs in a fixed account and grants consent at once.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { derivePasswordKeys } from "../src/crypto/index.js";
import { Agent } from "../test/helpers/agent.js";
import { FLOW_SCOPE, REDIRECT_URI, RP_ID } from "./fixtures.js";
import { basicAuth, FORM, type Target } from "./target.js";

export interface FlowResult {
  flows: number;
  seconds: number;
  /** Per-flow latencies, ms, sorted. */
  times: number[];
}

type Interaction = (t: Target, agent: Agent, authUrl: string) => Promise<string>;

/** Passport: sign-in page, prelogin, derived authKey, session, consent page, confirm. */
const passportInteraction: Interaction = async (t, agent, authUrl) => {
  const login = await agent.follow(authUrl);
  assert.match(login.text, /id="signin-form"/, `${t.name}: expected the sign-in page at ${login.url} (${login.status})`);
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: t.account.email } });
  assert.equal(pre.status, 200, `prelogin: ${pre.text}`);
  const { authKey } = await derivePasswordKeys(t.account.password, pre.json().kdf);
  const session = await agent.request("POST", "/api/session", { json: { email: t.account.email, authKey } });
  assert.equal(session.status, 200, `sign-in: ${session.text}`);
  const consent = await agent.follow(login.url);
  const uid = new URL(consent.url).pathname.split("/")[2];
  assert.ok(consent.status === 200 && uid, `${t.name}: expected the consent page, got ${consent.status} at ${consent.url}`);
  const confirm = await agent.request("POST", `/interaction/${uid}/confirm`, { form: {} });
  assert.equal(confirm.status, 303, `confirm: ${confirm.text.slice(0, 200)}`);
  return (await agent.follow(confirm.location!)).url;
};

/** Bare provider: every interaction step finishes by itself; just follow the redirects. */
const bareInteraction: Interaction = async (_t, agent, authUrl) => (await agent.follow(authUrl)).url;

const b64u = (b: Buffer) => b.toString("base64url");

async function oneFlow(t: Target, interact: Interaction): Promise<void> {
  const verifier = b64u(crypto.randomBytes(32));
  const state = b64u(crypto.randomBytes(16));
  const params = new URLSearchParams({
    client_id: RP_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: FLOW_SCOPE,
    prompt: "consent",
    code_challenge: b64u(crypto.createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
    nonce: b64u(crypto.randomBytes(16)),
    state,
  });
  const callback = new URL(await interact(t, new Agent(t.url), `${t.url}/auth?${params}`));
  const code = callback.searchParams.get("code");
  assert.ok(code && callback.searchParams.get("state") === state, `${t.name}: no code in ${callback}`);
  const res = await fetch(`${t.url}/token`, {
    method: "POST",
    headers: { authorization: basicAuth(t, RP_ID), "content-type": FORM },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  const tokens = (await res.json()) as Record<string, string>;
  assert.ok(res.status === 200 && tokens.id_token && tokens.refresh_token, `${t.name}: token exchange ${res.status} ${JSON.stringify(tokens)}`);
}

/** `flows` sign-ins, `concurrency` at a time; returns the time taken and each flow's latency. */
export async function runFlows(t: Target, flows: number, concurrency: number): Promise<FlowResult> {
  const interact = t.name === "ours" ? passportInteraction : bareInteraction;
  const times: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < flows) {
      started++;
      const t0 = performance.now();
      await oneFlow(t, interact);
      times.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, flows) }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { flows, seconds, times: times.sort((a, b) => a - b) };
}
