// Finding 13: the browser refuses KDF parameters below a floor built into its bundle, so a
// compromised or impersonated server cannot make a password cheap to guess. Node code (tests,
// CLI) passes the floor explicitly; the bundle's default is tested in test/browser/kdf-floor.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_KDF_FLOOR,
  DEFAULT_KDF_ITERATIONS,
  KDF_ITERATIONS_FLOOR,
  KdfFloorError,
  deriveMasterKey,
  derivePasswordKeys,
  generateVaultKey,
  newKdfParams,
  openVaultWithPassword,
  passwordMaterial,
  wrapVaultKey,
} from "../../src/crypto/index.js";
import { type ApiCall, signInWithPassword } from "../../src/web/_signin.js";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { startServer, TEST_KDF_ITERATIONS, type TestServer } from "../helpers/server.js";

const salt = "c2FsdHNhbHRzYWx0c2FsdA";

describe("KDF floor in src/crypto", () => {
  it("is at least 100,000 PBKDF2-SHA-256 iterations and below the default", () => {
    assert.ok(KDF_ITERATIONS_FLOOR >= 100_000);
    assert.ok(KDF_ITERATIONS_FLOOR <= DEFAULT_KDF_ITERATIONS);
    // Outside the browser bundle nothing is defined at build time: Node callers pass the floor.
    assert.equal(DEFAULT_KDF_FLOOR, 1);
  });

  it("refuses parameters below the floor before deriving anything, with a message for the holder", async () => {
    for (const iterations of [1, TEST_KDF_ITERATIONS, KDF_ITERATIONS_FLOOR - 1]) {
      const params = { alg: "pbkdf2-sha256" as const, iterations, salt };
      await assert.rejects(deriveMasterKey("pw", params, KDF_ITERATIONS_FLOOR), (err: unknown) => {
        assert.ok(err instanceof KdfFloorError);
        assert.match(err.message, new RegExp(`weak key derivation \\(${iterations} iterations, this page needs at least ${KDF_ITERATIONS_FLOOR}\\)`));
        return true;
      });
      await assert.rejects(derivePasswordKeys("pw", params, KDF_ITERATIONS_FLOOR), KdfFloorError);
      await assert.rejects(openVaultWithPassword("pw", params, "v1.x.y", false, KDF_ITERATIONS_FLOOR), KdfFloorError);
    }
  });

  it("derives at the floor", async () => {
    const params = { alg: "pbkdf2-sha256" as const, iterations: KDF_ITERATIONS_FLOOR, salt };
    const { authKey } = await derivePasswordKeys("pw", params, KDF_ITERATIONS_FLOOR);
    assert.equal(authKey.length, 43);
  });

  it("raises new parameters (sign-up, password change) to the floor instead of refusing", async () => {
    const vaultKey = await generateVaultKey();
    const m = await passwordMaterial("a long enough password", TEST_KDF_ITERATIONS, vaultKey, KDF_ITERATIONS_FLOOR);
    assert.equal(m.kdf.iterations, KDF_ITERATIONS_FLOOR);
    const above = await passwordMaterial("a long enough password", KDF_ITERATIONS_FLOOR + 1, vaultKey, KDF_ITERATIONS_FLOOR);
    assert.equal(above.kdf.iterations, KDF_ITERATIONS_FLOOR + 1);
    // A wrapped key made at a cheap cost stays unopenable with the floor on.
    const cheap = newKdfParams(TEST_KDF_ITERATIONS);
    const { kek } = await derivePasswordKeys("pw", cheap);
    await assert.rejects(openVaultWithPassword("pw", cheap, await wrapVaultKey(vaultKey, kek, "password"), false, KDF_ITERATIONS_FLOOR), KdfFloorError);
  });
});

describe("the sign-in script's guard (src/web/_signin.ts) against a downgraded prelogin answer", () => {
  let s: TestServer;
  before(async () => {
    s = await startServer("sqlite");
  });
  after(() => s.close());

  /** The page's api() over a real HTTP session, recording every call. */
  function apiOf(agent: Agent, calls: string[]): ApiCall {
    return async <T>(method: string, path: string, body?: unknown) => {
      calls.push(`${method} ${path}`);
      const res = await agent.request(method, path, body === undefined ? {} : { json: body });
      if (res.status >= 400) throw new Error(`${res.status} ${res.text}`);
      return (res.status === 204 ? undefined : res.json()) as T;
    };
  }

  it("refuses the server's 1,000 iterations: no key is derived and no authKey is sent", async () => {
    const holder = await createHolder(s.app.container);
    const agent = new Agent(s.url);
    await agent.get("/signin");
    const calls: string[] = [];
    await assert.rejects(signInWithPassword(apiOf(agent, calls), holder.email, holder.password, KDF_ITERATIONS_FLOOR), KdfFloorError);
    assert.deepEqual(calls, ["POST /api/prelogin"]);
  });

  it("signs in when the parameters clear the floor", async () => {
    const holder = await createHolder(s.app.container);
    const agent = new Agent(s.url);
    await agent.get("/signin");
    const calls: string[] = [];
    const { upgraded } = await signInWithPassword(apiOf(agent, calls), holder.email, holder.password, TEST_KDF_ITERATIONS);
    assert.equal(upgraded, false);
    assert.deepEqual(calls, ["POST /api/prelogin", "POST /api/session"]);
  });
});
