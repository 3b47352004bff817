// The operator CLI as an operator runs it: `node bin/passport.js ...` in a child process with the
// server's environment. Results are checked in the database through the same services.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair } from "jose";
import { loadConfig } from "../../src/config.js";
import { type Container, createContainer } from "../../src/container.js";
import { verifyClientSecret } from "../../src/services/client-secrets.js";
import { deriveRecoveryKeys, KDF_ITERATIONS_FLOOR, openVaultWithPassword } from "../../src/crypto/index.js";
import { authKeyFor, uniqueEmail } from "../helpers/accounts.js";
import { databases, pgNotice, testEnv } from "../helpers/server.js";
import { runCli, type Run } from "../helpers/cli.js";

/** Exit 0, nothing on stderr. */
function ok(r: Run): Run {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, "");
  return r;
}

/** Exit 1 with one line on stderr and no stack trace. */
function failed(r: Run): string {
  assert.equal(r.code, 1, r.stdout);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  return lines[0]!;
}

pgNotice();

for (const db of databases()) {
  describe(`cli (${db})`, () => {
    let env: Record<string, string>;
    let c: Container;
    const cli = (args: string[], input?: string, extra: Record<string, string> = {}) => runCli({ ...env, ...extra }, args, input);

    before(async () => {
      env = testEnv(db, { LOG_LEVEL: "silent" });
      c = await createContainer(loadConfig(env));
    });
    after(async () => {
      if (db === "postgres") await c.ds.query(`DROP SCHEMA "${env.DATABASE_SCHEMA}" CASCADE`);
      await c.close();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    });

    it("clients create, list, show and delete with --json", async () => {
      const created = ok(
        await cli([
          "clients", "create", "--json", "--name", "CLI Bank", "--client-id", "cli-bank",
          "--redirect-uri", "https://bank.example/cb", "--redirect-uri", "https://bank.example/cb2",
          "--grant-type", "authorization_code", "--grant-type", "client_credentials", "--scope", "openid", "--scope", "email",
        ]),
      ).json();
      assert.equal(created.client_id, "cli-bank");
      assert.equal(created.client_name, "CLI Bank");
      assert.deepEqual(created.redirect_uris, ["https://bank.example/cb", "https://bank.example/cb2"]);
      assert.deepEqual(created.grant_types, ["authorization_code", "client_credentials"]);
      assert.equal(created.scope, "openid email");
      assert.equal(created.token_endpoint_auth_method, "client_secret_basic");
      assert.match(created.client_secret, /^[\w-]{40,}$/);
      // The printed secret is the one the provider will check (it holds only its hash).
      assert.ok(verifyClientSecret((await c.clients.findEnabledMetadata("cli-bank"))?.client_secret, created.client_secret));

      const list = ok(await cli(["clients", "list", "--json"])).json<Record<string, unknown>[]>();
      const entry = list.find((x) => x.client_id === "cli-bank");
      assert.equal(entry?.client_name, "CLI Bank");
      assert.equal(entry?.enabled, true);
      assert.ok(list.every((x) => !("client_secret" in x)), "list never prints secrets");

      const shown = ok(await cli(["clients", "show", "cli-bank", "--json"])).json();
      assert.equal(shown.client_name, "CLI Bank");
      assert.equal(shown.type, "confidential");
      assert.ok(!("client_secret" in shown));

      const deleted = ok(await cli(["clients", "delete", "cli-bank", "--json"])).json();
      assert.deepEqual(deleted, { client_id: "cli-bank", deleted: true });
      await assert.rejects(c.clients.get("cli-bank"), /no client cli-bank/);
    });

    it("clients create reads a JWKS file for an encrypting public client", async () => {
      const { publicKey } = await generateKeyPair("RSA-OAEP-256", { extractable: true });
      const file = path.join(fs.mkdtempSync(path.join(env.DATA_DIR!, "jwks-")), "jwks.json");
      fs.writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), use: "enc", kid: "enc-1" }] }));
      const created = ok(
        await cli(["clients", "create", "--json", "--name", "SPA", "--type", "public", "--redirect-uri", "http://localhost:5173/cb", "--jwks-file", file, "--userinfo-encrypted-alg", "RSA-OAEP-256"]),
      ).json();
      assert.equal(created.client_secret, null);
      assert.equal(created.token_endpoint_auth_method, "none");
      assert.equal(created.userinfo_encrypted_response_alg, "RSA-OAEP-256");
      assert.equal(created.jwks.keys[0].kid, "enc-1");
    });

    it("refuses an invalid redirect URI or JWKS with exit 1 and a one-line message naming the field", async () => {
      const before = (await c.clients.list()).length;
      let line = failed(await cli(["clients", "create", "--name", "Bad", "--redirect-uri", "http://bank.example/cb"]));
      assert.match(line, /^error: invalid client: redirectUris\.0: "http:\/\/bank\.example\/cb" uses http outside loopback; use https$/);
      const file = path.join(env.DATA_DIR!, "broken-jwks.json");
      fs.writeFileSync(file, '{"keys": [');
      line = failed(await cli(["clients", "create", "--name", "Bad", "--redirect-uri", "https://bank.example/cb", "--jwks-file", file]));
      assert.match(line, /^error: invalid client: jwks: .*broken-jwks\.json is not valid JSON$/);
      line = failed(await cli(["clients", "create", "--name", "Bad", "--redirect-uri", "https://bank.example/cb", "--scope", "openid", "--scope", "passport:passport"]));
      assert.match(line, /^error: invalid client: jwks: Passport scopes \(passport:passport\) need the client's public encryption key: add an RSA key/);
      assert.equal((await c.clients.list()).length, before, "nothing was registered");
    });

    it("users create reads the password from stdin; the holder can then sign in", async () => {
      const email = uniqueEmail("cli");
      const password = "a long enough password";
      const created = ok(await cli(["users", "create", "--email", email, "--password-stdin", "--json"], `${password}\n`)).json();
      assert.equal(created.email, email);
      assert.equal(created.is_admin, false);
      assert.match(created.recovery_key, /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);

      // Sign in as the browser would: prelogin, derive the authKey, open the vault.
      const kdf = await c.accounts.prelogin(email);
      // The configured KDF_ITERATIONS (1,000 here), raised to the floor browsers accept.
      assert.equal(kdf.iterations, KDF_ITERATIONS_FLOOR, "derived with the browsers' floor");
      const { account, wrappedVaultKey } = await c.accounts.signIn(email, await authKeyFor(password, kdf), "127.0.0.1");
      assert.equal(account.id, created.id);
      await openVaultWithPassword(password, kdf, wrappedVaultKey);
      // The printed recovery key is the real one.
      const recovery = await deriveRecoveryKeys(created.recovery_key);
      assert.ok((await c.accounts.recoveryStart(email, recovery.authKey, "127.0.0.1")).recoveryWrappedVaultKey);

      ok(await cli(["users", "promote", email]));
      assert.equal((await c.accounts.getByEmail(email))?.isAdmin, true);
    });

    it("users create takes the password from PASSPORT_PASSWORD", async () => {
      const email = uniqueEmail("cli-env");
      const created = ok(await cli(["users", "create", "--email", email, "--admin", "--json"], "", { PASSPORT_PASSWORD: "from the environment" })).json();
      assert.equal(created.is_admin, true);
      const kdf = await c.accounts.prelogin(email);
      const { account } = await c.accounts.signIn(email, await authKeyFor("from the environment", kdf), "127.0.0.1");
      assert.equal(account.isAdmin, true);
    });

    it("keys rotate makes new signing keys active and keeps the old ones as retiring", async () => {
      await c.keys.ensureSigningKeys();
      const oldKids = (await c.keys.listSigningKeys()).filter((k) => k.status === "active").map((k) => k.kid);
      const rotated = ok(await cli(["keys", "rotate", "--json"])).json();
      assert.equal(rotated.active_kids.length, 3);
      const listed = ok(await cli(["keys", "list", "--json"])).json<{ kid: string; kty: string; status: string }[]>();
      const active = listed.filter((k) => k.status === "active").map((k) => k.kid);
      assert.deepEqual(active.sort(), [...rotated.active_kids].sort());
      assert.ok(oldKids.every((kid) => !active.includes(kid)), "the old keys are no longer active");
      assert.ok(oldKids.every((kid) => listed.some((k) => k.kid === kid && k.status === "retiring")), "the old keys still verify");
      assert.deepEqual([...new Set(listed.filter((k) => k.status === "active").map((k) => k.kty))].sort(), ["EC", "OKP", "RSA"]);
    });

    it("purge removes what has expired and prints the counts", async () => {
      await c.oidcStore.upsert("AccessToken", "expired-token", { jti: "expired-token" }, -60);
      await c.oidcStore.upsert("AccessToken", "live-token", { jti: "live-token" }, 3600);
      const counts = ok(await cli(["purge", "--json"])).json<Record<string, number>>();
      assert.equal(counts.oidcArtifacts, 1);
      for (const k of ["sessions", "attemptCounters", "retiredKeys"]) assert.equal(typeof counts[k], "number", k);
      assert.equal(await c.oidcStore.find("AccessToken", { id: "live-token" }).then(Boolean), true);
    });
  });
}
