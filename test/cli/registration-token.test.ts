// `passport registration-token` as an operator runs it: create prints a token once (stored hashed),
// list shows expiry and uses left, revoke ends it; the token works at the registration endpoint.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { describe, it } from "node:test";
import { databases, pgNotice, startServer, testEnv } from "../helpers/server.js";
import { runCli } from "../helpers/cli.js";
import { CALLBACK } from "../helpers/oidc.js";
import { InitialAccessTokenEntity } from "../../src/db/entities.js";

pgNotice();
for (const db of databases()) {
  describe(`passport registration-token (${db})`, () => {
    it("creates a token shown once, lists it with uses left, and revokes it", async () => {
      const env = testEnv(db);
      const created = await runCli(env, ["--new-database", "registration-token", "create", "--json", "--expires-in", "2d", "--uses", "1"]);
      assert.equal(created.code, 0, created.stderr);
      const t = JSON.parse(created.stdout) as { token: string; id: string; expires_at: string; uses_left: number };
      assert.match(t.token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(t.uses_left, 1);
      const days = (Date.parse(t.expires_at) - Date.now()) / 86_400_000;
      assert.ok(days > 1.9 && days <= 2, `expires in ${days} days`);

      const s = await startServer(db, { DATA_DIR: env.DATA_DIR!, ...(env.DATABASE_SCHEMA ? { DATABASE_SCHEMA: env.DATABASE_SCHEMA } : {}) }, { keepData: true });
      try {
        // Only the hash is stored.
        const rows = await s.app.container.ds.getRepository(InitialAccessTokenEntity).find();
        assert.deepEqual(rows.map((r) => r.tokenHash), [crypto.createHash("sha256").update(t.token).digest("hex")]);
        const res = await fetch(`${s.url}/reg`, {
          method: "POST",
          headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
          body: JSON.stringify({ client_name: "From the CLI token", redirect_uris: [CALLBACK] }),
        });
        assert.equal(res.status, 201, await res.text());
      } finally {
        await s.close();
      }

      const listed = await runCli(env, ["registration-token", "list", "--json"]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual((JSON.parse(listed.stdout) as { id: string; uses_left: number; used: number }[]).map((r) => [r.id, r.uses_left, r.used]), [[t.id, 0, 1]]);
      const human = await runCli(env, ["registration-token", "list"]);
      assert.match(human.stdout, new RegExp(`${t.id}\\s+\\S+\\s+0\\s+1`));
      assert.doesNotMatch(human.stdout, new RegExp(t.token));

      const revoked = await runCli(env, ["registration-token", "revoke", t.id]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal((await runCli(env, ["registration-token", "list", "--json"])).stdout.trim(), "[]");
      const again = await runCli(env, ["registration-token", "revoke", t.id]);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /no initial access token/);
      // Once more without keepData: its close drops the PostgreSQL schema.
      await (await startServer(db, { DATA_DIR: env.DATA_DIR!, ...(env.DATABASE_SCHEMA ? { DATABASE_SCHEMA: env.DATABASE_SCHEMA } : {}) })).close();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    });

    it("refuses a bad --expires-in or --uses with one line on stderr", async () => {
      const env = testEnv(db);
      try {
        for (const args of [["--expires-in", "7y"], ["--expires-in", "0m"], ["--uses", "0"], ["--uses", "1.5"]]) {
          const r = await runCli(env, ["registration-token", "create", "--new-database", ...args]);
          assert.notEqual(r.code, 0, args.join(" "));
          assert.match(r.stderr, /expires-in|uses/, args.join(" "));
          assert.doesNotMatch(r.stderr, /\n\s+at /);
        }
      } finally {
        fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
      }
    });
  });
}
