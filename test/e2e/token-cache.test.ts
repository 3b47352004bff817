// On SQLite the server keeps the tokens it read in memory (src/db/token-cache.ts), yet every
// change made through Passport applies from the very next request: through the CLI in another
// process, through the server's own endpoints, or by SQL on the server's own connection. Each
// test warms the cache first, with an entry lifetime of an hour, so that only the change reports
// can explain a fresh answer. On PostgreSQL nothing is cached, and the same checks must hold.
// Each runs for a stored access token (a session-bound one) and for a signed one (an offline
// grant's: src/oidc/signed-grant-tokens.ts), which is kept as its grant.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { databases, pgNotice, startServer, testEnv, type TestServer } from "../helpers/server.js";
import { runCli } from "../helpers/cli.js";
import { createHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, type Rp } from "../helpers/oidc.js";
import type { ClientInputRaw } from "../../src/services/client-schema.js";
import { signedBody } from "../helpers/signed-tokens.js";

pgNotice();

const OFFLINE = { scope: "openid email offline_access", prompt: "consent" };
const OFFLINE_RP: Partial<ClientInputRaw> = { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] };

for (const db of databases()) for (const form of ["stored", "signed"] as const) {
  describe(`tokens kept in memory follow every change at once (${db}, ${form} access tokens)`, () => {
    let s: TestServer;
    let rp: Rp;
    const signed = form === "signed";

    before(async () => {
      s = await startServer(db, { TOKEN_CACHE_SECONDS: "3600", CLIENT_CACHE_SECONDS: "3600" });
      rp = await registerRp(s, { name: "Cached tokens RP", ...(signed ? OFFLINE_RP : {}) });
    });
    after(() => s.close());

    /** A holder signed in at `r`: its access token, of the form this suite tests. */
    async function accessToken(r: Rp = rp): Promise<string> {
      const holder = await createHolder(s.app.container);
      const { tokens } = await codeFlow(r, new Agent(s.url), holder, signed ? OFFLINE : undefined);
      assert.equal(tokens.access_token.startsWith("pat1."), signed);
      return tokens.access_token;
    }

    async function userinfoStatus(token: string): Promise<number> {
      const res = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    }

    async function introspect(token: string): Promise<boolean> {
      return (await client.tokenIntrospection(rp.config, token)).active;
    }

    /** Several uses, so the token is read once and then kept. */
    async function warm(token: string): Promise<void> {
      for (let i = 0; i < 3; i++) {
        assert.equal(await userinfoStatus(token), 200);
        assert.equal(await introspect(token), true);
      }
    }

    /** `passport <args>` in a child process against the server's database, as an operator runs it. */
    async function cli(args: string[]): Promise<void> {
      const d = s.cfg.database;
      const env = testEnv(d.type, { DATA_DIR: s.dataDir, ISSUER: s.url, LOG_LEVEL: "silent", ...(d.type === "postgres" ? { DATABASE_SCHEMA: d.schema } : {}) });
      const r = await runCli(env, [...args, "--json"]);
      assert.equal(r.code, 0, r.stderr);
    }

    it("serves a kept token while nothing changes (the cache is in use on SQLite)", async () => {
      const token = await accessToken();
      await warm(token);
      const kept = s.app.container.oidcStore.keptTokens;
      if (db === "sqlite") assert.ok(kept > 0, "the token is kept after its first read");
      else assert.equal(kept, 0, "PostgreSQL keeps no token");
    });

    it("an account deleted through the CLI: its token is refused at the next request", async () => {
      const token = await accessToken();
      await warm(token);
      const { email } = (await client.fetchUserInfo(rp.config, token, client.skipSubjectCheck)) as { email: string };
      await cli(["users", "delete", email]);
      assert.equal(await userinfoStatus(token), 401);
      assert.equal(await introspect(token), false);
    });

    it("a token revoked at the revocation endpoint: refused at the next request", async () => {
      const token = await accessToken();
      await warm(token);
      await client.tokenRevocation(rp.config, token);
      assert.equal(await userinfoStatus(token), 401);
      assert.equal(await introspect(token), false);
    });

    it("the grant revoked (connected apps, a code replayed): every token of it is refused at the next request", async () => {
      const token = await accessToken();
      await warm(token);
      // A signed token names its grant; else the newest stored token's grant is this one's (the tests run one after another).
      const rows = (await s.app.container.ds.query(
        `SELECT grant_id FROM oidc_payloads WHERE kind = 'AccessToken' AND grant_id IS NOT NULL ORDER BY expires_at DESC LIMIT 1`,
      )) as { grant_id: string }[];
      await s.app.container.oidcStore.revokeByGrantId(signed ? signedBody(token).p.grantId : rows[0]!.grant_id);
      assert.equal(await userinfoStatus(token), 401);
    });

    it("SQL on the server's own connection: a grant's row changed under its token is seen at the next request", async () => {
      const token = await accessToken();
      await warm(token);
      await s.app.container.ds.query(`DELETE FROM oidc_payloads WHERE kind = 'Grant'`);
      assert.equal(await userinfoStatus(token), 401);
      assert.equal(await introspect(token), false);
    });

    it("the client disabled through the CLI: its holder's token is refused at the next request", async () => {
      const own = await registerRp(s, { name: "Disabled later", ...(signed ? OFFLINE_RP : {}) });
      const token = await accessToken(own);
      for (let i = 0; i < 3; i++) assert.equal(await userinfoStatus(token), 200);
      await cli(["clients", "disable", own.clientId]);
      assert.equal(await userinfoStatus(token), 401);
    });
  });
}
