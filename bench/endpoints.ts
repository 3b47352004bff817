// The endpoints measured on both servers. Each one checks a single request first (status and
// content), then describes the load: method, path, headers, body, or a fresh body per request.
import assert from "node:assert/strict";
import { compactDecrypt, compactVerify, createLocalJWKSet, type CryptoKey as JoseKey } from "jose";
import { ACCESS_SCOPE, FLOW_SCOPE, JWE_RP_ID, RP_ID } from "./fixtures.js";
import type { LoadSpec } from "./load.js";
import { basicAuth, FORM, mint, type Target } from "./target.js";

export interface Endpoint {
  name: string;
  /** The least ratio ours/bare this endpoint must reach (issue 10), or null for none. */
  goal: number | null;
  /** Each request spends one pre-minted value: runs are bounded by a request count, not by time. */
  singleUse: boolean;
  /** Checks one request, then returns the load to run; `count` is how many requests a single-use load will send. */
  prepare(t: Target, count: number): Promise<LoadSpec>;
}

async function send(t: Target, spec: LoadSpec): Promise<Response> {
  return fetch(t.url + spec.path, { method: spec.method, headers: spec.headers, body: spec.nextBody ? spec.nextBody() : spec.body });
}

async function expectOk(t: Target, spec: LoadSpec): Promise<Response> {
  const res = await send(t, spec);
  if (res.status !== 200) assert.fail(`${t.name} ${spec.method} ${spec.path}: ${res.status} ${await res.text()}`);
  return res;
}

/** A queue of single-use values; when empty it hands out a marker the server rejects (counted as failed). */
function pool(values: string[]): () => string {
  let i = 0;
  return () => (i < values.length ? values[i++]! : "exhausted");
}

/** No database behind these two: what is left is pure request overhead. */
const REQUEST_OVERHEAD_GOAL = 0.95;
/** Token and userinfo endpoints: ours stores in a database, bare in memory. */
const DATABASE_GOAL = 0.8;

const discovery: Endpoint = {
  name: "discovery",
  goal: REQUEST_OVERHEAD_GOAL,
  singleUse: false,
  async prepare(t) {
    const spec: LoadSpec = { method: "GET", path: "/.well-known/openid-configuration", headers: {} };
    const doc = (await (await expectOk(t, spec)).json()) as { issuer: string };
    assert.equal(doc.issuer, t.url);
    return spec;
  },
};

const jwks: Endpoint = {
  name: "JWKS",
  goal: REQUEST_OVERHEAD_GOAL,
  singleUse: false,
  async prepare(t) {
    const spec: LoadSpec = { method: "GET", path: "/jwks", headers: {} };
    const doc = (await (await expectOk(t, spec)).json()) as { keys: { kid?: string; d?: string }[] };
    assert.ok(doc.keys.length > 0 && doc.keys.every((k) => k.kid && k.d === undefined), `${t.name}: /jwks must list public keys only`);
    return spec;
  },
};

const clientCredentials: Endpoint = {
  name: "token: client_credentials",
  goal: DATABASE_GOAL,
  singleUse: false,
  async prepare(t) {
    const spec: LoadSpec = {
      method: "POST",
      path: "/token",
      headers: { authorization: basicAuth(t, RP_ID), "content-type": FORM },
      body: "grant_type=client_credentials",
    };
    const body = (await (await expectOk(t, spec)).json()) as { access_token?: string };
    assert.ok(body.access_token, `${t.name}: no access token`);
    return spec;
  },
};

const refreshToken: Endpoint = {
  name: "token: refresh_token (rotating)",
  goal: DATABASE_GOAL,
  singleUse: true,
  async prepare(t, count) {
    // One token per request, a margin for the requests autocannon builds ahead, one for the check.
    const tokens = await mint(t, { kind: "refresh", clientId: RP_ID, scope: FLOW_SCOPE, count: count + 101 });
    const check = tokens.pop()!;
    const spec: LoadSpec = {
      method: "POST",
      path: "/token",
      headers: { authorization: basicAuth(t, RP_ID), "content-type": FORM },
      nextBody: pool(tokens.map((rt) => `grant_type=refresh_token&refresh_token=${rt}`)),
    };
    const body = (await (await expectOk(t, { ...spec, nextBody: undefined, body: `grant_type=refresh_token&refresh_token=${check}` })).json()) as Record<string, string>;
    assert.ok(body.id_token && body.access_token && body.refresh_token && body.refresh_token !== check, `${t.name}: refresh answer lacks tokens or did not rotate`);
    return spec;
  },
};

const introspection: Endpoint = {
  name: "introspection",
  goal: DATABASE_GOAL,
  singleUse: false,
  async prepare(t) {
    const [at] = await mint(t, { kind: "access", clientId: RP_ID, scope: ACCESS_SCOPE, count: 1 });
    const spec: LoadSpec = {
      method: "POST",
      path: "/token/introspection",
      headers: { authorization: basicAuth(t, RP_ID), "content-type": FORM },
      body: `token=${at}`,
    };
    const body = (await (await expectOk(t, spec)).json()) as { active: boolean; client_id: string };
    assert.equal(body.active, true, `${t.name}: token not active`);
    assert.equal(body.client_id, RP_ID);
    return spec;
  },
};

const userinfo: Endpoint = {
  name: "userinfo (JSON)",
  goal: DATABASE_GOAL,
  singleUse: false,
  async prepare(t) {
    const [at] = await mint(t, { kind: "access", clientId: RP_ID, scope: ACCESS_SCOPE, count: 1 });
    const spec: LoadSpec = { method: "GET", path: "/me", headers: { authorization: `Bearer ${at}` } };
    const body = (await (await expectOk(t, spec)).json()) as { sub?: string; email?: string };
    assert.ok(body.sub, `${t.name}: no sub`);
    assert.equal(body.email, t.account.email);
    return spec;
  },
};

/** Needs the relying party's private key to check that the answer really is signed-then-encrypted. */
export function userinfoEncrypted(rpKey: JoseKey): Endpoint {
  return {
    name: "userinfo (signed+encrypted JWT)",
    goal: DATABASE_GOAL,
    singleUse: false,
    async prepare(t) {
      const [at] = await mint(t, { kind: "access", clientId: JWE_RP_ID, scope: ACCESS_SCOPE, count: 1 });
      const spec: LoadSpec = { method: "GET", path: "/me", headers: { authorization: `Bearer ${at}` } };
      const res = await expectOk(t, spec);
      assert.match(res.headers.get("content-type") ?? "", /application\/jwt/);
      const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), rpKey);
      assert.equal(protectedHeader.alg, "ECDH-ES+A256KW");
      const jwks = createLocalJWKSet(await (await fetch(`${t.url}/jwks`)).json());
      const { payload, protectedHeader: sig } = await compactVerify(new TextDecoder().decode(plaintext), jwks);
      assert.equal(sig.alg, "RS256");
      assert.equal(JSON.parse(new TextDecoder().decode(payload)).email, t.account.email);
      return spec;
    },
  };
}

export const endpoints = (rpKey: JoseKey): Endpoint[] => [
  discovery,
  jwks,
  clientCredentials,
  refreshToken,
  introspection,
  userinfo,
  userinfoEncrypted(rpKey),
];
