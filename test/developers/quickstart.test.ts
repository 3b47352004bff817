// A client's page: its quick-start snippets carry its own issuer, client id, redirect URI, scopes
// and authentication method, and the openid-client one signs a holder in when run as written
// (confidential with client_secret_basic and public with none); "Try this client" links to the
// playground prefilled with the client's settings, or says what to change first. The list search
// is a GET (?q=) that works without scripts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { CALLBACK, walk } from "../helpers/oidc.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { clientForm, postAndFollow, registerClient, signedIn, textOf } from "../admin/admin-helpers.js";
import { loadSnippet, snippetOf, snippetProject } from "./snippet.js";

pgNotice();

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

for (const db of databases()) {
  describe(`client quick start, try link and search (${db})`, () => {
    let s: TestServer;
    let admin: Agent;
    let dir: string;
    before(async () => {
      s = await startServer(db, { LOG_LEVEL: "warn" });
      admin = (await signedIn(s, true)).agent;
      dir = snippetProject();
    });
    after(async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await s.close();
    });

    for (const auth of ["client_secret_basic", "none"] as const) {
      it(`the openid-client snippet signs a holder in as written (${auth})`, async () => {
        const form: Record<string, string | string[]> = auth === "none" ? { type: "public", tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code"] } : {};
        const registered = await postAndFollow(admin, "/admin/clients", clientForm({ name: `Snippet ${auth}`, redirectUris: CALLBACK, scopes: ["openid", "email"], ...form }));
        const clientId = textOf(registered.text, "client-id");
        const secret = auth === "none" ? null : textOf(registered.text, "client-secret");
        const page = await admin.get(`/admin/clients/${clientId}`);
        const code = snippetOf(page.text, "openid-client");
        for (const value of [`const issuer = "${s.url}"`, `const clientId = "${clientId}"`, `const redirectUri = "${CALLBACK}"`, `const scope = "openid email"`, "allowInsecureRequests"]) {
          assert.ok(code.includes(value), `the snippet has ${value}`);
        }
        if (secret) {
          assert.ok(!page.text.includes(secret), "the client page never shows the secret");
          assert.match(registered.text, /<button type="button" class="small copy" data-copy="client-secret" hidden/, "the one-time secret page has a copy button");
        }

        const rp = await loadSnippet(dir, code, secret ? { PASSPORT_CLIENT_SECRET: secret } : {});
        const holder = await createHolder(s.app.container);
        const { url, saved } = await rp.startSignIn();
        const w = await walk(new Agent(s.url), url, { holder });
        assert.equal(w.callback.origin + w.callback.pathname, CALLBACK);
        const { claims, userinfo } = await rp.finishSignIn(w.callback.href, saved);
        assert.equal(userinfo.sub, claims.sub);
        assert.equal(userinfo.email, holder.email);
        // A replayed callback is refused: the code is single-use.
        await assert.rejects(rp.finishSignIn(w.callback.href, saved));
      });
    }

    it("the Authlib and mod_auth_openidc snippets carry the client's values and no secret", async (t) => {
      const redirect = "https://shop.example/auth/passport/callback";
      const { clientId, secret } = await registerClient(admin, { name: "Apache shop", redirectUris: redirect, scopes: ["openid", "email", "offline_access"], tokenEndpointAuthMethod: "client_secret_post" });
      const page = await admin.get(`/admin/clients/${clientId}`);
      assert.ok(!page.text.includes(secret));
      const authlib = snippetOf(page.text, "authlib");
      for (const value of [
        `server_metadata_url="${s.url}/.well-known/openid-configuration"`,
        `client_id="${clientId}"`,
        `client_secret=os.environ["PASSPORT_CLIENT_SECRET"]`,
        `"scope": "openid email"`,
        `"code_challenge_method": "S256"`,
        `"token_endpoint_auth_method": "client_secret_post"`,
        `authorize_redirect("${redirect}")`,
        `@app.route("/auth/passport/callback")`,
        `AUTHLIB_INSECURE_TRANSPORT`,
      ]) {
        assert.ok(authlib.includes(value), `Authlib snippet has ${value}`);
      }
      const apache = snippetOf(page.text, "mod-auth-openidc");
      for (const line of [
        `OIDCProviderMetadataURL ${s.url}/.well-known/openid-configuration`,
        `OIDCClientID ${clientId}`,
        "OIDCClientSecret ${PASSPORT_CLIENT_SECRET}",
        "OIDCProviderTokenEndpointAuth client_secret_post",
        `OIDCRedirectURI ${redirect}`,
        `OIDCScope "openid email"`,
        "OIDCPKCEMethod S256",
        "AuthType openid-connect",
      ]) {
        assert.ok(apache.split("\n").map((l) => l.trim()).includes(line), `Apache snippet has the line ${line}`);
      }
      // Valid Python, where Python is installed (CI images usually have it).
      const python = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: authlib, encoding: "utf8" });
      if (python.error) t.diagnostic(`python3 not found: Authlib snippet not parsed (${python.error.message})`);
      else assert.equal(python.status, 0, python.stderr);
      // Apache takes no comment after a directive: every "#" starts its own line.
      for (const l of apache.split("\n")) assert.ok(!l.includes("#") || l.trimStart().startsWith("#"), `comment on its own line: ${l}`);
      assert.ok(snippetOf(page.text, "openid-client").includes("client.ClientSecretPost(process.env.PASSPORT_CLIENT_SECRET)"));
    });

    it("'Try this client' opens the playground prefilled, or says what to change", async () => {
      const playground = `${s.url}/playground/callback`;
      const ready = await registerClient(admin, { name: "Try me", redirectUris: `https://shop.example/cb\n${playground}`, scopes: ["openid", "email"], subjectType: "public" });
      const page = await admin.get(`/admin/clients/${ready.clientId}`);
      const href = unescape(page.text.match(/id="try-client" href="([^"]+)"/)![1]!);
      assert.equal(href, `/playground?client_id=${ready.clientId}&auth=client_secret_basic&scope=email`);
      // The snippets use the app's own redirect URI, not the playground's.
      assert.ok(snippetOf(page.text, "openid-client").includes('const redirectUri = "https://shop.example/cb"'));
      const pg = await admin.get(href);
      assert.match(pg.text, new RegExp(`id="own-client-id"[^>]*value="${ready.clientId}"`));
      assert.match(pg.text, /<option value="client_secret_basic" selected>/);
      assert.match(pg.text, /name="scope" value="email" checked/);
      assert.doesNotMatch(pg.text, /value="passport:personal_details" checked/, "no Passport scope for one's own client");

      const notReady = await registerClient(admin, { name: "Not yet", redirectUris: "https://shop.example/cb" });
      const other = await admin.get(`/admin/clients/${notReady.clientId}`);
      assert.doesNotMatch(other.text, /id="try-client"/);
      assert.ok(other.text.includes(`add ${playground} to its redirect URIs`));
    });

    it("searches the client list with ?q= (name, id, redirect URI), safe to reload", async () => {
      const a = await registerClient(admin, { name: "Zebra Books", redirectUris: "https://zebra.example/cb" });
      await registerClient(admin, { name: "Yak Bank", redirectUris: "https://yak.example/cb" });
      const byName = await admin.get("/admin?q=zebra");
      assert.equal(byName.status, 200);
      assert.ok(byName.text.includes("Zebra Books") && !byName.text.includes("Yak Bank"));
      assert.match(byName.text, /id="client-search"[^>]*value="zebra"/);
      const byId = await admin.get(`/admin?q=${a.clientId.slice(4, 14)}`);
      assert.ok(byId.text.includes("Zebra Books") && !byId.text.includes("Yak Bank"));
      assert.ok((await admin.get("/admin?q=yak.example")).text.includes("Yak Bank"));
      const none = await admin.get("/admin?q=nothing-like-this");
      assert.match(none.text, /id="no-match"/);
      // Odd input is no error: repeated, overlong or markup.
      assert.equal((await admin.get("/admin?q=a&q=b")).status, 200);
      assert.equal((await admin.get(`/admin?q=${"x".repeat(5000)}`)).status, 200);
      const markup = await admin.get("/admin?q=%3Cscript%3E");
      assert.ok(!markup.text.includes("<script>") && markup.text.includes("&lt;script&gt;"));

      // The developer console searches only one's own clients.
      const dev = (await signedIn(s, false)).agent;
      await dev.get("/developers");
      await registerClient(dev, { name: "Dev Zebra" }, "/developers");
      await registerClient(dev, { name: "Dev Yak" }, "/developers");
      const mine = await dev.get("/developers?q=zebra");
      assert.ok(mine.text.includes("Dev Zebra") && !mine.text.includes("Dev Yak") && !mine.text.includes("Zebra Books"));
    });
  });
}
