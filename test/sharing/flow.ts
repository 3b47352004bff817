// "Sign in with Passport" from the outside: a relying party registered with an encryption key,
// openid-client 6 for the protocol, the holder's browser stood in for by an Agent plus the consent
// composer (test/helpers/share.ts), and the SDK to open what arrives.
import assert from "node:assert/strict";
import * as client from "openid-client";
import type { ConsentData, EntryChoice, VerifiedInput } from "../../src/sharing/compose.js";
import { downloadScan, openPassport, type PassportPayload, type SharedDocument } from "../../src/sdk/index.js";
import { PASSPORT_SCOPES } from "../../src/sharing/scopes.js";
import type { ClientInputRaw } from "../../src/services/client-schema.js";
import { authRequest, redeem, redirectError, registerRp, rpKeyPair, type AuthRequest, type PublicJwk, type Rp } from "../helpers/oidc.js";
import { shareFromConsent } from "../helpers/share.js";
import type { TestServer } from "../helpers/server.js";
import type { VaultHolder } from "../helpers/vault.js";
import { defaultFields, defaultScans, type StoredDocument, type StoredScan } from "./documents.js";

export const ALL_SCOPES = ["openid", "email", ...PASSPORT_SCOPES];

export type EncAlg = "ECDH-ES+A256KW" | "RSA-OAEP-256";

export interface PassportRp extends Rp {
  name: string;
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
}

/**
 * A client allowed `scopes` (all by default) with one encryption key of `alg`. With `signingKey`
 * it authenticates with private_key_jwt (the key is registered before the encryption key).
 */
export async function registerPassportRp(
  s: TestServer,
  opts: { alg?: EncAlg; kid?: string; scopes?: string[]; name?: string; input?: Partial<ClientInputRaw>; signingKey?: { privateKey: CryptoKey; publicJwk: PublicJwk } } = {},
): Promise<PassportRp> {
  const alg = opts.alg ?? "ECDH-ES+A256KW";
  const key = await rpKeyPair(alg, opts.kid ?? `enc-${alg}`, alg.startsWith("ECDH") ? { crv: "P-256" } : {});
  const name = opts.name ?? "Passport RP";
  const sig = opts.signingKey;
  const rp = await registerRp(
    s,
    {
      name,
      scopes: opts.scopes ?? ALL_SCOPES,
      jwks: { keys: [...(sig ? [sig.publicJwk] : []), key.publicJwk] as never },
      ...(sig ? { tokenEndpointAuthMethod: "private_key_jwt" } : {}),
      ...opts.input,
    },
    sig ? { auth: () => client.PrivateKeyJwt({ key: sig.privateKey, kid: sig.publicJwk.kid }) } : {},
  );
  return { ...rp, name, privateKey: key.privateKey, publicJwk: key.publicJwk };
}

export interface Shared {
  req: AuthRequest;
  consent: ConsentData;
  tokens: Awaited<ReturnType<typeof redeem>>;
  userinfo: client.UserInfoResponse;
  payload: PassportPayload;
}

/** Authorizes with `scope` (and `params`), answers the consent with `choose`, redeems and fetches userinfo, opens the payload. */
export async function sharePassport(
  s: TestServer,
  rp: PassportRp,
  h: VaultHolder,
  scope: string,
  opts: { params?: Record<string, string>; choose?: (c: ConsentData, choices: Map<string, EntryChoice>) => void; verified?: VerifiedInput } = {},
): Promise<Shared> {
  const req = await authRequest(rp.config, { scope, ...opts.params });
  const page = await h.agent.follow(req.url.toString());
  assert.equal(page.status, 200, `expected the consent page, got ${page.status} at ${page.url}: ${page.text.slice(0, 300)}`);
  assert.match(new URL(page.url).pathname, /^\/interaction\//);
  const shared = await shareFromConsent(h.agent, h.vaultKey, page.url, opts.choose, opts.verified);
  const callback = await h.agent.follow(shared.redirect);
  assert.equal(new URL(callback.url).origin, "http://localhost:8080", `expected the client's callback, got ${callback.url}`);
  const tokens = await redeem(rp.config, new URL(callback.url), req);
  const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
  const payload = await openPassport(userinfo, rp.privateKey, { issuer: s.url, clientId: rp.clientId, nonce: req.nonce, sub: userinfo.sub });
  return { req, consent: shared.consent, tokens, userinfo, payload };
}

/** Authorizes and expects the server to send the browser back to the client with an error. */
export async function authorizationError(rp: Rp, h: VaultHolder, params: Record<string, string>): Promise<{ error: string | null; description: string | null }> {
  const req = await authRequest(rp.config, params);
  const res = await h.agent.follow(req.url.toString());
  const url = new URL(res.url);
  assert.equal(url.origin, "http://localhost:8080", `expected an error redirect to the client, got ${res.status} at ${res.url}: ${res.text.slice(0, 300)}`);
  const e = redirectError(url);
  assert.equal(e.state, req.state, "the error redirect carries the request's state");
  return e;
}

/** The `claims` request parameter asking for verified_claims options at userinfo. */
export function claimsParam(claims: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ userinfo: { verified_claims: { claims, ...extra } } });
}

/**
 * Checks a shared document against what the holder stored: its version, exactly `fields` (the
 * default set unless given), and exactly `scans`, each downloaded with the access token and
 * decrypted by the SDK (which checks its SHA-256) to the bytes the holder uploaded.
 */
export async function assertShared(
  issuer: string,
  accessToken: string,
  shared: SharedDocument | undefined,
  doc: StoredDocument,
  expected: { fields?: Record<string, unknown>; scans?: StoredScan[] } = {},
): Promise<void> {
  assert.ok(shared, `${doc.type} is in the payload`);
  assert.equal(shared.version, doc.version, `${doc.type}: the version shared`);
  assert.deepEqual(shared.fields, expected.fields ?? defaultFields(doc), `${doc.type}: fields`);
  assert.deepEqual(shared.attestations, []);
  const scans = expected.scans ?? defaultScans(doc);
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  assert.deepEqual(
    shared.files.map((f) => ({ id: f.id, role: f.role, sha256: f.sha256, mime: f.mime })).sort(byId),
    scans.map((sc) => ({ id: sc.id, role: sc.role, sha256: sc.sha256, mime: "image/jpeg" })).sort(byId),
    `${doc.type}: scans`,
  );
  for (const f of shared.files) {
    const bytes = await downloadScan(issuer, accessToken, f);
    assert.ok(Buffer.from(bytes).equals(Buffer.from(scans.find((sc) => sc.id === f.id)!.bytes)), `${doc.type}: scan ${f.role} decrypts to what was uploaded`);
  }
}
