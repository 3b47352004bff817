import http from "node:http";
// A holder's side of the vault for HTTP tests: sign up through the API (keeping the vault key),
// seal items and files with src/crypto, and talk to /api/vault like the browser does.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createAccountMaterial, deriveRecoveryKeys, openItem, sealFile, sealItem, type SealedFile } from "../../src/crypto/index.js";
import { generateHolderKeys, type HolderKeys } from "../../src/credentials/index.js";
import { Agent } from "./agent.js";
import { uniqueEmail } from "./accounts.js";
import { TEST_KDF_ITERATIONS } from "./server.js";

export interface VaultHolder {
  agent: Agent;
  email: string;
  password: string;
  vaultKey: CryptoKey;
  recoveryKey: string;
}

/** `iterations`: a holder who will sign in with a real browser needs at least its KDF floor. */
export async function signUpHolder(base: string, password = "a long enough password", iterations = TEST_KDF_ITERATIONS): Promise<VaultHolder> {
  const agent = new Agent(base);
  await agent.get("/signup");
  const email = uniqueEmail("vault");
  const m = await createAccountMaterial(password, iterations);
  const res = await agent.request("POST", "/api/signup", { json: { email, ...m.body } });
  assert.equal(res.status, 201, res.text);
  await confirmRecoveryKey(agent, m.recoveryKey);
  return { agent, email, password, vaultKey: m.vaultKey, recoveryKey: m.recoveryKey };
}

/** What the sign-up page does once the holder has typed the key's last group back. */
export async function confirmRecoveryKey(agent: Agent, recoveryKey: string): Promise<void> {
  const { authKey } = await deriveRecoveryKeys(recoveryKey);
  const res = await agent.request("POST", "/api/account/recovery-key/confirm", { json: { recoveryAuthKey: authKey } });
  assert.equal(res.status, 204, res.text);
}

export async function uploadFile(h: VaultHolder, plaintext: Uint8Array, id: string = crypto.randomUUID()): Promise<{ id: string; sealed: SealedFile; status: number; body: any }> {
  const sealed = await sealFile(h.vaultKey, id, new Uint8Array(plaintext));
  const res = await h.agent.request("POST", `/api/vault/files?id=${id}`, { raw: sealed.bytes, headers: { "x-wrapped-key": sealed.wrappedKey } });
  return { id, sealed, status: res.status, body: res.text ? res.json() : null };
}

export async function saveItem(h: VaultHolder, type: string, data: unknown, opts: { id?: string; version?: number; fileIds?: string[] } = {}) {
  const id = opts.id ?? crypto.randomUUID();
  const version = opts.version ?? 0;
  const sealed = await sealItem(h.vaultKey, { id, type, version: version + 1 }, data);
  const res = await h.agent.request("PUT", `/api/vault/items/${type}`, { json: { id, version, ...sealed, fileIds: opts.fileIds ?? [] } });
  return { id, res };
}

export async function readVault(h: VaultHolder) {
  const res = await h.agent.request("GET", "/api/vault");
  assert.equal(res.status, 200, res.text);
  return res.json();
}

export async function openVaultItem(h: VaultHolder, item: { id: string; type: string; version: number; ciphertext: string; wrappedKey: string }) {
  return openItem(h.vaultKey, item, item);
}

/**
 * Uploads `bytes` slowly to `url` (a server, or a balancer in front of several) and resolves once
 * `cutAfter` bytes are out; the request stays open, for a test that kills the server under it.
 */
export
function startSlowUpload(h: VaultHolder, url: string, id: string, wrappedKey: string, bytes: Uint8Array, cutAfter: number): Promise<void> {
  const u = new URL(`/api/vault/files?id=${id}`, url);
  const cookie = ["passport.sid", "passport.sid.sig", "passport.csrf", "passport.csrf.sig"].map((n) => `${n}=${h.agent.cookie(n)}`).join("; ");
  const req = http.request(u, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "content-length": bytes.length, "x-wrapped-key": wrappedKey, "x-csrf-token": h.agent.csrf, cookie },
  });
  req.on("error", () => undefined); // the server dies under it
  return new Promise((resolve) => {
    let sent = 0;
    const step = () => {
      const chunk = bytes.subarray(sent, sent + 256 * 1024);
      sent += chunk.length;
      req.write(chunk);
      if (sent >= cutAfter) resolve();
      else setTimeout(step, 5);
    };
    step();
  });
}

/**
 * The holder's key pairs, as the vault page makes them (src/web/_holder-keys.ts): generated here,
 * the private halves wrapped under the vault key, the public ones stored with PUT /api/vault/holder-keys.
 */
export async function registerHolderKeys(h: VaultHolder): Promise<HolderKeys> {
  const me = await h.agent.request("GET", "/api/account");
  assert.equal(me.status, 200, me.text);
  const made = await generateHolderKeys(h.vaultKey, me.json().account.id);
  const res = await h.agent.request("PUT", "/api/vault/holder-keys", { json: { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, wrapped: made.wrapped } });
  assert.ok(res.status === 200 || res.status === 201, res.text);
  return made.keys;
}
