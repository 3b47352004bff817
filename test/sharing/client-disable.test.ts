// Disabling a client is the incident-response lever: the moment `passport clients disable` returns
// (another process, with the server's client cache still warm), every endpoint refuses the
// client's tokens: scans, userinfo, introspection, refresh and error reports. Enabling it again
// lets its unexpired tokens work again (a suspension). Deleting it deletes its grants, tokens,
// codes and shared payloads from the database, and every endpoint refuses.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { OidcPayloadEntity, ShareEntity } from "../../src/db/entities.js";
import { databases, pgNotice, startServer, testEnv, type TestServer } from "../helpers/server.js";
import { runCli } from "../helpers/cli.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument } from "./documents.js";
import { ALL_SCOPES, registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();

/** `passport <args>` in a child process against the test server's database, as an operator runs it. */
async function cli(s: TestServer, args: string[]): Promise<void> {
  const db = s.cfg.database;
  const env = testEnv(db.type === "postgres" ? "postgres" : "sqlite", {
    DATA_DIR: s.dataDir,
    ISSUER: s.url,
    LOG_LEVEL: "silent",
    ...(db.type === "postgres" ? { DATABASE_SCHEMA: db.schema! } : {}),
  });
  const r = await runCli(env, args);
  if (r.code !== 0) throw new Error(`passport ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
}

const basic = (rp: PassportRp) => `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.secret!)}`).toString("base64")}`;

for (const db of databases()) {
  describe(`sharing: disabling and deleting a client (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      await storeDocument(h, "passport");
    });
    after(() => s.close());

    /** What each endpoint answers for the share's tokens: "ok" or the refusal it gave. */
    async function probe(rp: PassportRp, shared: Shared, refreshToken: string) {
      const fileId = shared.payload.data.passport!.files[0]!.id;
      const files = await fetch(`${s.url}/passport/files/${fileId}`, { headers: { authorization: `Bearer ${shared.tokens.access_token}` } });
      const userinfo = await client.fetchUserInfo(rp.config, shared.tokens.access_token, shared.userinfo.sub).then(
        () => "ok",
        (e: unknown) => (e instanceof client.WWWAuthenticateChallengeError ? `${e.status} ${e.cause[0]?.parameters.error}` : String(e)),
      );
      // A client whose cached metadata says enabled authenticates and hears "not active"; once the
      // cache knows, it cannot authenticate at all. Either way nothing about the token comes out.
      const introspection = await client.tokenIntrospection(rp.config, shared.tokens.access_token).then(
        (r) => (r.active ? "ok" : "inactive"),
        (e: unknown) => (e instanceof client.ResponseBodyError ? e.error : String(e)),
      );
      const report = await fetch(`${s.url}/passport/errors`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: basic(rp) },
        body: JSON.stringify({ access_token: shared.tokens.access_token, errors: [{ type: "passport", version: shared.payload.data.passport!.version, kind: "unspecified", message: "please check" }] }),
      });
      const refresh = await client.refreshTokenGrant(rp.config, refreshToken).then(
        (t) => ({ answer: "ok", next: t.refresh_token! }),
        (e: unknown) => ({ answer: e instanceof client.ResponseBodyError ? e.error : String(e), next: refreshToken }),
      );
      return {
        answers: { files: files.status === 200 ? "ok" : String(files.status), userinfo, introspection, report: report.status === 200 ? "ok" : String(report.status), refresh: refresh.answer },
        refreshToken: refresh.next,
      };
    }

    const allowed = { files: "ok", userinfo: "ok", introspection: "ok", report: "ok", refresh: "ok" };
    function assertRefused(answers: Record<string, string>, when: string): void {
      assert.equal(answers.files, "401", `${when}: files`);
      assert.equal(answers.userinfo, "401 invalid_token", `${when}: userinfo`);
      assert.ok(["inactive", "invalid_client"].includes(answers.introspection!), `${when}: introspection answered ${answers.introspection}`);
      assert.equal(answers.report, "401", `${when}: error report`);
      assert.ok(["invalid_grant", "invalid_client"].includes(answers.refresh!), `${when}: refresh answered ${answers.refresh}`);
    }

    async function share(name: string): Promise<{ rp: PassportRp; shared: Shared }> {
      const rp = await registerPassportRp(s, { name, scopes: [...ALL_SCOPES, "offline_access"], input: { grantTypes: ["authorization_code", "refresh_token"] } });
      const shared = await sharePassport(s, rp, h, "openid offline_access passport:passport", { params: { prompt: "consent" } });
      assert.ok(shared.tokens.refresh_token, "offline access was granted");
      return { rp, shared };
    }

    it("a disable through the CLI refuses the client's tokens on every endpoint at once; enabling again restores them", async () => {
      const { rp, shared } = await share("Suspended RP");
      let p = await probe(rp, shared, shared.tokens.refresh_token!);
      assert.deepEqual(p.answers, allowed);
      // The server's client cache now holds this client as enabled (CLIENT_CACHE_SECONDS=5).
      await cli(s, ["clients", "disable", "--", rp.clientId]);
      p = await probe(rp, shared, p.refreshToken);
      assertRefused(p.answers, "right after `clients disable`");

      // Enabled again through the same service (this process clears its cache): a suspension ends.
      await s.app.container.clients.setEnabled(rp.clientId, true);
      p = await probe(rp, shared, p.refreshToken);
      assert.deepEqual(p.answers, allowed);

      // Disabled through the service in this process: refused as well.
      await s.app.container.clients.setEnabled(rp.clientId, false);
      p = await probe(rp, shared, p.refreshToken);
      assertRefused(p.answers, "after setEnabled(false)");
      assert.equal(p.answers.introspection, "invalid_client", "this process knows at once: the client cannot authenticate");
    });

    it("deleting a client through the CLI deletes its grants, tokens and stored payloads, and every endpoint refuses", async () => {
      const { rp, shared } = await share("Deleted RP");
      const other = await share("Other RP");
      // Every row that names the client, but the holder's own session: it is the holder's (other
      // clients use it), and it only lists the client's grant id, which leads nowhere once deleted.
      const artifacts = async (clientId: string) => {
        const rows = await s.app.container.ds.getRepository(OidcPayloadEntity).find();
        return rows.filter((r) => r.kind !== "Session" && (r.clientId === clientId || r.payload.includes(`"${clientId}"`))).map((r) => r.kind);
      };
      const shares = (clientId: string) => s.app.container.ds.getRepository(ShareEntity).countBy({ clientId });
      const kinds = await artifacts(rp.clientId);
      for (const kind of ["Grant", "AuthorizationCode"]) assert.ok(kinds.includes(kind), `a ${kind} row before: ${kinds}`);
      // The access and refresh tokens of an offline grant have no row: they end with the grant (the probe below uses them).
      assert.ok(shared.tokens.access_token.startsWith("pat1.") && shared.tokens.refresh_token!.startsWith("prt1."));
      assert.equal(await shares(rp.clientId), 1);

      await cli(s, ["clients", "delete", "--", rp.clientId]);
      assert.deepEqual(await artifacts(rp.clientId), [], "no grant, token, code or interaction of the client is left");
      assert.equal(await shares(rp.clientId), 0, "the stored payload is gone");
      const p = await probe(rp, shared, shared.tokens.refresh_token!);
      assertRefused(p.answers, "after `clients delete`");

      // Another client is untouched.
      assert.deepEqual((await probe(other.rp, other.shared, other.shared.tokens.refresh_token!)).answers, allowed);
      assert.equal(await shares(other.rp.clientId), 1);
    });
  });
}
