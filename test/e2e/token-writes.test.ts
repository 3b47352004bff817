// How the token endpoints read and write (src/oidc/request-artifacts.ts, docs/decisions.md
// "Performance"): a request's new tokens are written together when it ends, parallel requests
// share commits, and a token is read with its grant in one statement. None of that may change
// what a client sees: every stored token handed out is stored before the answer leaves (and one
// that cannot be stored is never handed out), and a grant revoked by anyone between two requests
// is refused at the second. (Client-credentials tokens are signed, not stored:
// client-credentials-tokens.test.ts; so are the access and refresh tokens of offline grants:
// signed-access-tokens.test.ts, signed-refresh-tokens.test.ts. A refresh writes only its spend.)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { createHolder, type TestHolder } from "../helpers/accounts.js";
import { Agent } from "../helpers/agent.js";
import { codeFlow, registerRp, rejectsWith, type Rp } from "../helpers/oidc.js";
import { OidcStore, storedId } from "../../src/db/oidc-store.js";
import { signedBody } from "../helpers/signed-tokens.js";

pgNotice();

const OFFLINE = { scope: "openid email offline_access", prompt: "consent" };

for (const db of databases()) {
  describe(`token reads and writes (${db})`, () => {
    let s: TestServer;
    let holder: TestHolder;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      holder = await createHolder(s.app.container);
      rp = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token", "client_credentials"], scopes: ["openid", "email", "offline_access"] });
    });
    after(() => s.close());

    const basic = () => `Basic ${Buffer.from(`${rp.clientId}:${rp.secret}`).toString("base64")}`;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const clientCredentials = () => fetch(`${s.url}/token`, { method: "POST", headers: { authorization: basic(), ...form }, body: "grant_type=client_credentials" });
    /** Is the token stored, as the database holds it right now (not through the server)? */
    const stored = async (kind: string, token: string) => Boolean(await new OidcStore(s.app.container.ds).find(kind, { id: token }));
    /** A token of an offline grant: signed, so it has no row to be written. */
    const signed = (token: string) => token.startsWith("pat1.") || token.startsWith("prt1.");
    const grantOf = (refreshToken: string) => signedBody(refreshToken).p.grantId;
    /** Is the signed refresh token's spend stored, as the database holds it right now (not through the server)? */
    const spent = async (refreshToken: string) => {
      const { p } = signedBody(refreshToken);
      return (await new OidcStore(s.app.container.ds).findRefreshGrant(p.grantId, p.jti)).spentAt !== null;
    };
    const refresh = (rt: string, scope?: string) =>
      fetch(`${s.url}/token`, { method: "POST", headers: { authorization: basic(), ...form }, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: rt, ...(scope ? { scope } : {}) }) });
    // On PostgreSQL a refresh spends its token in the statement that reads it (OidcStore.takeRefreshGrant), unless it
    // asks for a scope: then, as on SQLite, the token is read, and spent while the grant goes on (markSpent).
    const READ_THEN_SPENT = { scope: OFFLINE.scope };

    it("parallel refreshes each get their own tokens, their spends stored before the answer arrives", async () => {
      // One signed-in browser, ten grants, then all ten refreshed at once (their spends share commits).
      const browser = new Agent(s.url);
      const refreshTokens: string[] = [];
      for (let i = 0; i < 10; i++) refreshTokens.push((await codeFlow(rp, browser, holder, OFFLINE)).tokens.refresh_token!);
      const answers = await Promise.all(refreshTokens.map(async (rt) => {
        const tokens = await client.refreshTokenGrant(rp.config, rt);
        // Checked as each answer arrives, not after all of them.
        assert.ok(signed(tokens.access_token) && signed(tokens.refresh_token!), "both tokens are signed: nothing to store");
        assert.ok(await spent(rt), "the spent refresh token's marker was stored when its answer arrived");
        return tokens.access_token;
      }));
      assert.equal(new Set(answers).size, answers.length);
      for (const t of answers) assert.equal((await client.tokenIntrospection(rp.config, t)).active, true);
    });

    it("a session-bound access token is stored before the answer arrives", async () => {
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, { scope: "openid email" });
      assert.ok(!signed(tokens.access_token));
      assert.ok(await stored("AccessToken", tokens.access_token));
    });

    it("a token that cannot be stored is never handed out, and the next request works again", async () => {
      const store = s.app.container.oidcStore;
      const upsert = store.upsert.bind(store);
      store.upsert = async (kind, ...rest) => (kind === "AccessToken" ? Promise.reject(new Error("disk full")) : upsert(kind, ...rest));
      try {
        // A grant without offline access: its access token is stored, and that write fails.
        await assert.rejects(codeFlow(rp, new Agent(s.url), holder, { scope: "openid email" }), (err: Error & { cause?: { status?: number } }) => err.cause?.status === 500);
      } finally {
        store.upsert = upsert;
      }
      const next = await codeFlow(rp, new Agent(s.url), holder, { scope: "openid email" });
      assert.ok(await stored("AccessToken", next.tokens.access_token));
    });

    it("a refresh whose spend cannot be stored hands out nothing, and the refresh token still works", async () => {
      for (const scope of [undefined, READ_THEN_SPENT.scope]) {
        const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
        const store = s.app.container.oidcStore;
        store.markSpent = () => Promise.reject(new Error("disk full"));
        store.takeRefreshGrant = () => Promise.reject(new Error("disk full"));
        try {
          const res = await refresh(tokens.refresh_token!, scope);
          assert.equal(res.status, 500);
          assert.doesNotMatch(await res.text(), /access_token|refresh_token/);
        } finally {
          // The prototype's methods again.
          delete (store as Partial<OidcStore>).markSpent;
          delete (store as Partial<OidcStore>).takeRefreshGrant;
        }
        assert.equal(await spent(tokens.refresh_token!), false);
        assert.ok((await client.refreshTokenGrant(rp.config, tokens.refresh_token!)).access_token, "not spent: it works once more");
      }
    });

    it("on PostgreSQL a refresh spends its token as it reads it; a refresh refused before its spend leaves the token unspent", async () => {
      const store = s.app.container.oidcStore;
      const calls: string[] = [];
      for (const name of ["findRefreshGrant", "takeRefreshGrant", "markSpent"] as const) {
        const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
        (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => (calls.push(name), original(...args));
      }
      try {
        const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
        calls.length = 0;
        const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
        assert.deepEqual(calls, db === "postgres" ? ["takeRefreshGrant"] : ["findRefreshGrant", "markSpent"]);
        assert.equal(await spent(tokens.refresh_token!), true);
        // Refused before oidc-provider spends it: a scope the token does not have; another client presenting it.
        calls.length = 0;
        const res = await refresh(refreshed.refresh_token!, "openid address");
        assert.equal(res.status, 400);
        assert.equal(((await res.json()) as { error: string }).error, "invalid_scope");
        const rp2 = await registerRp(s, { grantTypes: ["authorization_code", "refresh_token"], scopes: ["openid", "email", "offline_access"] });
        await rejectsWith(client.refreshTokenGrant(rp2.config, refreshed.refresh_token!), "invalid_grant");
        assert.deepEqual(calls, ["findRefreshGrant", "findRefreshGrant"], "read, not spent");
        assert.equal(await spent(refreshed.refresh_token!), false);
        assert.ok((await client.refreshTokenGrant(rp.config, refreshed.refresh_token!)).access_token, "it works once more");
      } finally {
        for (const name of ["findRefreshGrant", "takeRefreshGrant", "markSpent"]) delete (store as unknown as Record<string, unknown>)[name];
      }
    });

    it("a revocation ends the grant in one revokeByGrantId, not one per token kind", async () => {
      const store = s.app.container.oidcStore;
      const calls: string[] = [];
      for (const name of ["revokeByGrantId", "destroy", "markSpent"] as const) {
        const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
        (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => (calls.push(`${name} ${String(args[0])}`), original(...args));
      }
      try {
        for (const kind of ["access_token", "refresh_token"] as const) {
          const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
          const grantId = grantOf(tokens.refresh_token!);
          calls.length = 0;
          await client.tokenRevocation(rp.config, tokens[kind]!, { token_type_hint: kind });
          // A signed refresh token is spent for good (its marker); an access token is deleted by its jti.
          const destroyed = kind === "refresh_token" ? `markSpent ${signedBody(tokens.refresh_token!).p.jti}` : "destroy AccessToken";
          assert.deepEqual(calls.sort(), [destroyed, `revokeByGrantId ${grantId}`].sort());
          assert.equal((await client.tokenIntrospection(rp.config, tokens.access_token)).active, false, "the grant ended");
          await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
        }
        // A replayed refresh token ends its grant in one revocation too.
        const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
        const next = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
        calls.length = 0;
        await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
        assert.deepEqual(calls.filter((c) => !c.startsWith("markSpent")), [`revokeByGrantId ${grantOf(tokens.refresh_token!)}`]);
        assert.equal((await client.tokenIntrospection(rp.config, next.access_token)).active, false, "the replay ended the grant");
      } finally {
        for (const name of ["revokeByGrantId", "destroy", "markSpent"]) delete (store as unknown as Record<string, unknown>)[name];
      }
    });

    it("introspection finds each kind of token in one read: access, refresh and client-credentials tokens", async () => {
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
      const cc = ((await (await clientCredentials()).json()) as { access_token: string }).access_token;
      const [at, rt, ct] = await Promise.all([tokens.access_token, tokens.refresh_token!, cc].map((t) => client.tokenIntrospection(rp.config, t)));
      assert.deepEqual([at!.active, rt!.active, ct!.active], [true, true, true]);
      assert.equal(at!.token_type, "Bearer");
      assert.equal(rt!.token_type, undefined, "a refresh token has no token_type");
      assert.equal(ct!.sub, undefined, "a client-credentials token has no subject");
    });

    it("an answer leaves only after the event loop's turn in which it was made has ended, with nothing written too", async () => {
      // src/oidc/provider.ts: answers made in one turn leave together after it. An immediate queued
      // when the grant succeeds must have run before the answer is ended ("prefinish" is emitted
      // inside res.end). Sent one at a time, so no other request's turn can hide a missing wait.
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
      const provider = s.app.host.current;
      const turnOverAtEnd: boolean[] = [];
      const onGrant = (ctx: { res: ServerResponse }) => {
        let turnOver = false;
        setImmediate(() => (turnOver = true));
        ctx.res.once("prefinish", () => turnOverAtEnd.push(turnOver));
      };
      provider.on("grant.success", onGrant);
      try {
        for (let i = 0; i < 3; i++) assert.equal((await clientCredentials()).status, 200); // signed: nothing written
        assert.ok((await client.refreshTokenGrant(rp.config, tokens.refresh_token!)).access_token); // one spend written
      } finally {
        provider.off("grant.success", onGrant);
      }
      assert.deepEqual(turnOverAtEnd, [true, true, true, true]);
    });

    it("a grant revoked elsewhere between two requests is refused at the second: introspection, userinfo, refresh", async () => {
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
      const sub = tokens.claims()!.sub;
      assert.equal((await client.tokenIntrospection(rp.config, tokens.access_token)).active, true);
      assert.equal((await client.fetchUserInfo(rp.config, tokens.access_token, sub)).email, holder.email);
      // As another process would: straight in the database, nothing in this one is told.
      const grantId = grantOf(tokens.refresh_token!);
      assert.ok(grantId);
      const table = s.app.container.ds.driver.escape("oidc_payloads");
      const p = db === "postgres" ? ["$1", "$2"] : ["?", "?"];
      await s.app.container.ds.query(`DELETE FROM ${table} WHERE kind = ${p[0]} AND id = ${p[1]}`, ["Grant", storedId("Grant", grantId)]);
      assert.equal((await client.tokenIntrospection(rp.config, tokens.access_token)).active, false);
      await assert.rejects(client.fetchUserInfo(rp.config, tokens.access_token, sub), client.WWWAuthenticateChallengeError);
      await rejectsWith(client.refreshTokenGrant(rp.config, tokens.refresh_token!), "invalid_grant");
    });

    // A code or refresh token is spent while the grant goes on, on both databases (request-artifacts.ts).
    /** Holds every spend of a signed refresh token until `release`, and notes which tokens were issued meanwhile. */
    const holdSpends = (outcome: boolean) => {
      const store = s.app.container.oidcStore;
      // oidc-provider emits "<kind>.issued" for a token it did not store; its typings name only some events.
      const provider = s.app.host.current as unknown as NodeJS.EventEmitter;
      const markSpent = store.markSpent.bind(store);
      const during: string[] = [];
      let inFlight = 0;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      store.markSpent = async (jti, expiresAt) => {
        inFlight++;
        try {
          await released;
          return outcome && (await markSpent(jti, expiresAt));
        } finally {
          inFlight--;
        }
      };
      // A signed token is "issued" (oidc-provider's event for a token it did not store).
      const issued = (token: { kind: string }) => {
        if (!inFlight || during.includes("RefreshToken")) return;
        during.push(token.kind);
        if (token.kind === "RefreshToken") release(); // the grant went on: let the spend answer
      };
      provider.on("access_token.issued", issued);
      provider.on("refresh_token.issued", issued);
      // Should the grant wait for its spend instead, release it anyway after a while (the test then fails).
      const timer = setTimeout(release, 3000);
      return {
        during,
        restore: () => {
          clearTimeout(timer);
          store.markSpent = markSpent;
          provider.off("access_token.issued", issued);
          provider.off("refresh_token.issued", issued);
        },
      };
    };

    it("a refresh issues its new tokens while its refresh token is being spent, and answers once it is", async () => {
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
      const hold = holdSpends(true);
      let refreshed;
      try {
        refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!, READ_THEN_SPENT);
      } finally {
        hold.restore();
      }
      assert.deepEqual(hold.during, ["RefreshToken"], "the new refresh token was issued before the spend answered");
      assert.equal(await spent(tokens.refresh_token!), true);
      assert.equal((await client.tokenIntrospection(rp.config, refreshed.access_token)).active, true);
    });

    it("a refresh whose spend lost to another request is refused as a replay, and what it issued ends with the grant", async () => {
      const { tokens } = await codeFlow(rp, new Agent(s.url), holder, OFFLINE);
      const grantId = grantOf(tokens.refresh_token!);
      const hold = holdSpends(false); // as if a parallel request had spent it first
      let res: Response;
      try {
        res = await refresh(tokens.refresh_token!, READ_THEN_SPENT.scope);
      } finally {
        hold.restore();
      }
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: "invalid_grant", error_description: "grant request is invalid" });
      assert.deepEqual(hold.during, ["RefreshToken"], "the losing request had issued its refresh token");
      const table = s.app.container.ds.driver.escape("oidc_payloads");
      const p = db === "postgres" ? ["$1", "$2"] : ["?", "?"];
      const [left] = await s.app.container.ds.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table} WHERE grant_id = ${p[0]} OR (kind = 'Grant' AND id = ${p[1]})`, [grantId, grantId]);
      assert.equal(Number(left!.n), 0, "the grant and every token of it are gone, the losing request's too");
      assert.equal((await client.tokenIntrospection(rp.config, tokens.access_token)).active, false);
    });
  });
}
