// The server caches client metadata (oidc-provider reads it several times per request), yet a
// change made anywhere else applies from the very next request: through the CLI in another
// process, or by SQL that bypasses every service. The database's change counter
// (src/db/change-versions.ts) is what tells the cache; these tests warm the cache first.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { databases, pgNotice, startServer, testEnv, type TestServer } from "../helpers/server.js";
import { runCli } from "../helpers/cli.js";
import { registerRp } from "../helpers/oidc.js";

pgNotice();

/** `passport <args> --json` in a child process against the server's database, as an operator runs it. */
async function cli(s: TestServer, args: string[]): Promise<Record<string, unknown>> {
  const db = s.cfg.database;
  const env = testEnv(db.type, { DATA_DIR: s.dataDir, ISSUER: s.url, LOG_LEVEL: "silent", ...(db.type === "postgres" ? { DATABASE_SCHEMA: db.schema } : {}) });
  const r = await runCli(env, [...args, "--json"]);
  if (r.code !== 0) throw new Error(`passport ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.json();
}

for (const db of databases()) {
  describe(`client cache follows every change at once (${db})`, () => {
    let s: TestServer;
    let clientId: string;

    before(async () => {
      // An hour: only the change counter, not the entries' lifetime, can explain a fresh answer.
      s = await startServer(db, { CLIENT_CACHE_SECONDS: "3600" });
      ({ clientId } = await registerRp(s, { name: "Cached RP", grantTypes: ["authorization_code", "client_credentials"] }));
    });
    after(() => s.close());

    /** The token endpoint's answer to a client_credentials request: "ok" or the OAuth error. */
    async function token(secret: string): Promise<string> {
      const res = await fetch(`${s.url}/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      return res.status === 200 && body.access_token ? "ok" : `${res.status} ${body.error}`;
    }

    /** A few requests, so the cache holds the client (several lookups per request, across requests). */
    async function warm(secret: string): Promise<void> {
      for (let i = 0; i < 3; i++) assert.equal(await token(secret), "ok");
    }

    it("a secret rotated through the CLI: the old one is refused and the new one accepted at the next request", async () => {
      const first = ((await cli(s, ["clients", "rotate-secret", clientId])) as { client_secret: string }).client_secret;
      await warm(first);
      const second = ((await cli(s, ["clients", "rotate-secret", clientId])) as { client_secret: string }).client_secret;
      assert.equal(await token(first), "401 invalid_client");
      assert.equal(await token(second), "ok");
    });

    it("a client disabled through the CLI cannot get a token at the next request; SQL by hand enables it again", async () => {
      const secret = ((await cli(s, ["clients", "rotate-secret", clientId])) as { client_secret: string }).client_secret;
      await warm(secret);
      await cli(s, ["clients", "disable", clientId]);
      assert.equal(await token(secret), "401 invalid_client");
      // A write no service sees: the trigger counts it all the same.
      await s.app.container.ds.query(`UPDATE clients SET enabled = ${db === "postgres" ? "true" : "1"} WHERE client_id = '${clientId}'`);
      assert.equal(await token(secret), "ok");
    });
  });
}
