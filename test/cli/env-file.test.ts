// The CLI finds the server's configuration the way the server does (the .env file of the working
// folder, environment variables winning), and refuses a database that does not exist yet instead
// of quietly creating a second, empty instance.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config.js";
import { type Container, createContainer } from "../../src/container.js";
import { databaseExists } from "../../src/db/data-source.js";
import { runCli } from "../helpers/cli.js";
import { databases, pgNotice, testEnv } from "../helpers/server.js";

pgNotice();
for (const db of databases()) {
  describe(`cli configuration (${db})`, () => {
    let folder: string;
    before(() => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "passport-envfile-"));
    });
    after(() => fs.rmSync(folder, { recursive: true, force: true }));

    it("refuses to run on a database that does not exist yet, and creates nothing", async () => {
      const env = testEnv(db, { LOG_LEVEL: "silent" });
      const r = await runCli(env, ["admin-link"]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /^error: no Passport database at .*start the server once so it creates its database; --new-database creates one here instead\.\n$/);
      assert.equal(await databaseExists(loadConfig(env).database), false, "nothing was created");
      // Asked for explicitly, it is created.
      const made = await runCli(env, ["--new-database", "admin-link", "--json"]);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(await databaseExists(loadConfig(env).database), true);
      const c = await createContainer(loadConfig(env));
      if (db === "postgres") await c.ds.query(`DROP SCHEMA "${env.DATABASE_SCHEMA}" CASCADE`);
      await c.close();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    });

    it("reads the server's .env from the working folder; the environment wins over it", async () => {
      const env = testEnv(db, { LOG_LEVEL: "silent", ISSUER: "https://id.example.org" });
      const c: Container = await createContainer(loadConfig(env)); // the server's first start
      try {
        const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
        fs.writeFileSync(path.join(folder, ".env"), `# the server's configuration\n${lines.join("\n")}\n`);
        // No DATA_DIR, DATABASE_URL or ISSUER in the CLI's own environment: all from .env.
        const link = await runCli({ ENV_FILE: "" }, ["admin-link", "--json"], "", folder);
        assert.equal(link.code, 0, link.stderr);
        assert.match(JSON.parse(link.stdout).url, /^https:\/\/id\.example\.org\/account\/admin-link\?token=/);
        const created = await runCli({ ENV_FILE: "" }, ["clients", "create", "--json", "--name", "From .env", "--redirect-uri", "https://rp.example/cb"], "", folder);
        assert.equal(created.code, 0, created.stderr);
        assert.equal((await c.clients.get(JSON.parse(created.stdout).client_id)).name, "From .env", "the server's database has it");
        const overridden = await runCli({ ENV_FILE: "", ISSUER: "https://other.example" }, ["admin-link", "--json"], "", folder);
        assert.match(JSON.parse(overridden.stdout).url, /^https:\/\/other\.example\//);
        // A named ENV_FILE that is missing is an error, not a silent default.
        const missing = await runCli({ ENV_FILE: path.join(folder, "nope.env") }, ["admin-link"], "", folder);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /ENV_FILE: .*nope\.env does not exist/);
      } finally {
        if (db === "postgres") await c.ds.query(`DROP SCHEMA "${env.DATABASE_SCHEMA}" CASCADE`);
        await c.close();
        fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
      }
    });
  });
}
