// Client secrets at rest: the clients table keeps only a hash of each secret, so a copy of the
// database (with or without the key that seals server secrets) yields no client secret. The secret
// is shown once at registration and rotation; both secret methods still authenticate with it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { ClientStore } from "../../src/db/clients.js";

pgNotice();

const KEY_SECRET = "a key encryption secret for the secrets test";

/** Every string inside a JSON value (the stored client metadata). */
function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === "object") return Object.values(v).flatMap(strings);
  return [];
}

/** Whatever the clients table holds, raw and opened with the server's own sealing key where it opens. */
async function clientsTable(s: TestServer): Promise<string> {
  const rows = (await s.app.container.ds.query(`SELECT * FROM clients`)) as { metadata: string }[];
  const box = new SecretBox(KEY_SECRET);
  const opened = rows.flatMap((r) =>
    strings(JSON.parse(r.metadata)).flatMap((x) => {
      try {
        return [box.open(x)];
      } catch {
        return [];
      }
    }),
  );
  return JSON.stringify(rows) + opened.join("\n");
}

/** The SQLite database files (main file and WAL) as text; empty on PostgreSQL. */
function databaseFiles(s: TestServer): string {
  if (s.cfg.database.type !== "sqlite") return "";
  const file = s.cfg.database.file;
  return [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1")).join("");
}

async function clientCredentials(s: TestServer, clientId: string, secret: string, method: "basic" | "post") {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (method === "basic") headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
  else form.set("client_id", clientId), form.set("client_secret", secret);
  const res = await fetch(`${s.url}/token`, { method: "POST", headers, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const register = (s: TestServer, method: "client_secret_basic" | "client_secret_post", clientId?: string) =>
  s.app.container.clients.create(
    { name: `Secrets ${method}`, type: "confidential", tokenEndpointAuthMethod: method, grantTypes: ["client_credentials"], scopes: ["openid"] },
    clientId ? { clientId } : {},
  );

for (const db of databases()) {
  for (const sealed of [false, true]) {
    describe(`client secrets at rest (${db}, ${sealed ? "with" : "without"} KEY_ENCRYPTION_SECRET)`, () => {
      let s: TestServer;
      before(async () => {
        s = await startServer(db, sealed ? { KEY_ENCRYPTION_SECRET: KEY_SECRET } : {});
      });
      after(() => s.close());

      it("after registration and rotation the clients table holds no secret in any recoverable form", async () => {
        const basic = await register(s, "client_secret_basic");
        const post = await register(s, "client_secret_post");
        const rotated = await s.app.container.clients.rotateSecret(post.client.clientId);
        const table = await clientsTable(s);
        const files = databaseFiles(s);
        // Nothing sealed either (whatever key the server seals with): there is nothing to unseal.
        const rows = (await s.app.container.ds.query(`SELECT metadata FROM clients`)) as { metadata: string }[];
        assert.deepEqual(rows.flatMap((r) => strings(JSON.parse(r.metadata))).filter((x) => /^(plain|enc):/.test(x)), []);
        for (const secret of [basic.secret!, post.secret!, rotated]) {
          assert.match(secret, /^[\w-]{43}$/, "a 256-bit secret is shown once");
          assert.ok(!table.includes(secret), "the secret is not in the clients table, sealed or not");
          assert.ok(!files.includes(secret), "the secret is not in the database files");
        }
      });

      it("client_secret_basic and client_secret_post authenticate with the shown secret; a wrong or old one is refused", async () => {
        const basic = await register(s, "client_secret_basic");
        const post = await register(s, "client_secret_post");
        assert.equal((await clientCredentials(s, basic.client.clientId, basic.secret!, "basic")).status, 200);
        assert.equal((await clientCredentials(s, post.client.clientId, post.secret!, "post")).status, 200);
        for (const [c, secret, how] of [[basic, `${basic.secret}x`, "basic"], [post, post.secret!.slice(1), "post"], [basic, post.secret!, "basic"]] as const) {
          const res = await clientCredentials(s, c.client.clientId, secret, how);
          assert.equal(res.status, 401, `${how} ${secret}`);
          assert.equal(res.body.error, "invalid_client");
        }
        // The hash stands in for the secret in oidc-provider's metadata; it must derive no key from it.
        const loaded = (await s.app.host.current.Client.find(basic.client.clientId)) as unknown as { symmetricKeyStore: Iterable<unknown> };
        assert.equal([...loaded.symmetricKeyStore].length, 0, "no HS* or secret-derived encryption key");
        const discovery = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        assert.ok(!(discovery.token_endpoint_auth_methods_supported as string[]).includes("client_secret_jwt"));
        const algs = Object.entries(discovery).filter(([k]) => k.endsWith("_alg_values_supported") || k.endsWith("_enc_values_supported")).flatMap(([, v]) => v as string[]);
        assert.ok(!algs.some((a) => /^HS|^dir$|^A\d+(GCM)?KW$/.test(a)), `no symmetric algorithm keyed by a client secret: ${algs.join(" ")}`);

        const fresh = await s.app.container.clients.rotateSecret(basic.client.clientId);
        assert.equal((await clientCredentials(s, basic.client.clientId, basic.secret!, "basic")).status, 401, "the old secret is dead after rotation");
        assert.equal((await clientCredentials(s, basic.client.clientId, fresh, "basic")).status, 200);
      });
    });
  }

  describe(`client secrets written before hashing (${db})`, () => {
    it("plain and sealed secrets of existing rows are replaced by hashes at start and keep working", async () => {
      const first = await startServer(db, { KEY_ENCRYPTION_SECRET: KEY_SECRET }, { keepData: true });
      const env = { DATA_DIR: first.dataDir, KEY_ENCRYPTION_SECRET: KEY_SECRET, ...(first.cfg.database.type === "postgres" ? { DATABASE_SCHEMA: first.cfg.database.schema } : {}) };
      const box = new SecretBox(KEY_SECRET);
      const store = new ClientStore(first.app.container.ds);
      const legacy = { plain: "legacy-plain-secret-0123456789abcdefghijklmnop", sealed: "legacy-sealed-secret-0123456789abcdefghijklmno" };
      for (const [id, stored] of [["legacy-plain", `plain:${legacy.plain}`], ["legacy-sealed", box.seal(legacy.sealed)]] as const) {
        const input = { name: id, type: "confidential", tokenEndpointAuthMethod: "client_secret_basic", grantTypes: ["client_credentials"], scopes: ["openid"], redirectUris: [], postLogoutRedirectUris: [] };
        await store.insert({ clientId: id, name: id, enabled: true, createdAt: Date.now(), updatedAt: Date.now(), metadata: JSON.stringify({ input, secret: stored }) });
      }
      await first.close();

      const s = await startServer(db, env);
      try {
        const table = await clientsTable(s);
        assert.ok(!table.includes(legacy.plain) && !table.includes(legacy.sealed), "no legacy secret is left in the table");
        assert.equal((await clientCredentials(s, "legacy-plain", legacy.plain, "basic")).status, 200);
        assert.equal((await clientCredentials(s, "legacy-sealed", legacy.sealed, "basic")).status, 200);
        assert.equal((await clientCredentials(s, "legacy-sealed", legacy.plain, "basic")).status, 401);
      } finally {
        await s.close();
        fs.rmSync(first.dataDir, { recursive: true, force: true });
      }
    });
  });
}
