// The playground relying party's own key pair and client, kept in this browser. The private key is
// an ECDH P-256 CryptoKey made non-extractable: IndexedDB stores it as an opaque handle, and no
// script (nor the server) can ever read its bytes. The client Passport registered for its public
// half is reused while it has time left, so a consent given to it is remembered for that long.
import { api } from "../_api.js";
import { keyValueStore } from "../_idb.js";

const store = keyValueStore("passport-playground", "rp");
const KEY = "client";
/** A client with less time left than this is replaced, so a flow started with it can finish. */
const MARGIN_MS = 10 * 60_000;

export interface PlaygroundClient {
  clientId: string;
  expiresAt: number;
  issuer: string;
  privateKey: CryptoKey;
}

/** The stored client, if it belongs to this issuer and is still alive at `until`. */
export async function loadClient(issuer: string, until = Date.now()): Promise<PlaygroundClient | null> {
  const c = await store.get<PlaygroundClient>(KEY);
  return c && c.issuer === issuer && c.expiresAt > until ? c : null;
}

/** A client with time left for a whole flow: the stored one, or a new key pair and registration. */
export async function clientForFlow(issuer: string): Promise<PlaygroundClient> {
  const current = await loadClient(issuer, Date.now() + MARGIN_MS);
  if (current) return current;
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  if (pair.privateKey.extractable) throw new Error("the browser made an extractable private key");
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const reg = await api<{ client_id: string; expires_at: number }>("POST", "/playground/clients", { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
  const client: PlaygroundClient = { clientId: reg.client_id, expiresAt: reg.expires_at, issuer, privateKey: pair.privateKey };
  await store.put(KEY, client);
  return client;
}
