// Client-credentials tokens are signed, not stored (src/oidc/signed-client-tokens.ts,
// docs/decisions.md "Client-credentials tokens are signed, not stored"). Issuing one writes
// nothing; every use still asks the database whether its client exists, is enabled and is the
// client it was issued to, and whether it was revoked; tokens stored by earlier versions keep working.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import * as client from "openid-client";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { registerRp, type Rp } from "../helpers/oidc.js";
import { OidcStore } from "../../src/db/oidc-store.js";
import { ClientTokenSigner } from "../../src/oidc/signed-client-tokens.js";
import { signedBody, signedParts } from "../helpers/signed-tokens.js";
import type { ClientInputRaw } from "../../src/services/client-schema.js";

pgNotice();

const CC: Partial<ClientInputRaw> = { name: "Machine client", grantTypes: ["client_credentials"], scopes: ["openid", "email"], redirectUris: [] };

for (const db of databases()) {
  describe(`client-credentials tokens (${db})`, () => {
    let s: TestServer;
    let rp: Rp;

    before(async () => {
      s = await startServer(db);
      rp = await registerRp(s, CC);
    });
    after(() => s.close());

    const issue = async (r: Rp = rp) => (await client.clientCredentialsGrant(r.config, { scope: "email" })).access_token;
    const active = async (token: string, r: Rp = rp) => (await client.tokenIntrospection(r.config, token)).active;
    const rowCount = async () => {
      const [row] = await s.app.container.ds.query(`SELECT COUNT(*) AS n FROM ${s.app.container.ds.driver.escape("oidc_payloads")}`);
      return Number((row as { n: number | string }).n);
    };
    /** What introspection and revocation call: the token as oidc-provider's model finds it. */
    const found = (token: string) => s.app.host.current.ClientCredentials.find(token);
    const secret = () => s.app.container.keys.secret("client-token-secret");

    it("issues a self-contained token, stores nothing, and introspection describes it", async () => {
      const before = await rowCount();
      const tokens = await Promise.all(Array.from({ length: 20 }, () => issue()));
      assert.equal(await rowCount(), before, "no row per token");
      assert.equal(new Set(tokens).size, tokens.length);
      // "~" before the HMAC: two dot-separated parts, so oidc-provider does not take it for a JWT.
      for (const t of tokens) assert.match(t, /^pcc1\.[A-Za-z0-9_-]+~[A-Za-z0-9_-]{43}$/);
      const info = await client.tokenIntrospection(rp.config, tokens[0]!);
      assert.equal(info.active, true);
      assert.equal(info.client_id, rp.clientId);
      assert.equal(info.scope, "email");
      assert.equal(info.token_type, "Bearer");
      assert.equal(info.sub, undefined);
      assert.ok(Number(info.exp) - Number(info.iat) === s.cfg.ttl.accessToken, "the access-token lifetime");
    });

    it("refuses altered, foreign, expired and malformed values", async () => {
      const token = await issue();
      const { mac } = signedParts(token);
      const payload = signedBody(token) as { p: Record<string, unknown>; t: number };
      const widened = Buffer.from(JSON.stringify({ ...payload, p: { ...payload.p, scope: "openid email" } })).toString("base64url");
      const other = new ClientTokenSigner(crypto.randomBytes(32).toString("base64url"));
      const ours = new ClientTokenSigner(await secret());
      const now = Math.floor(Date.now() / 1000);
      const expired = ours.sign({ payload: { ...(payload.p as { jti: string; clientId: string; exp: number }), iat: now - 120, exp: now - 60 }, issuedAt: Date.now() })!;
      const refused = [
        `pcc1.${widened}~${mac}`, // the payload changed under the same MAC
        `pcc1.${widened}.${mac}`, // the same, in the former form
        `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`, // the MAC changed
        `${token}=`, // another spelling of the same MAC
        other.sign({ payload: payload.p as { jti: string; clientId: string; exp: number }, issuedAt: payload.t })!, // another server's secret
        expired,
        "pcc1.", "pcc1..", "pcc1.~", "pcc1.e30.", "pcc1.e30~", `pcc1.${"A".repeat(5000)}~x`, "pcc1.a.b.c", "pcc1.a~b~c",
      ];
      for (const value of refused) assert.equal(await active(value), false, value.slice(0, 40));
      assert.equal(await active(token), true, "the real token still works");
      // Forged by whoever holds the secret: it works, which is why the secret is sealed like the signing keys.
      assert.equal(await active(ours.sign({ payload: { ...(payload.p as { jti: string; clientId: string; exp: number }), jti: "x".repeat(43) }, issuedAt: Date.now() })!), true);
    });

    it("a token issued in the former form (\".\" before the HMAC) works until revoked, whichever form is revoked", async () => {
      for (const revokedAs of ["former", "current"] as const) {
        const token = await issue();
        const { payload, mac } = signedParts(token);
        const former = `pcc1.${payload}.${mac}`;
        assert.equal(await active(former), true);
        assert.equal((await client.tokenIntrospection(rp.config, former)).client_id, rp.clientId);
        await client.tokenRevocation(rp.config, revokedAs === "former" ? former : token);
        assert.deepEqual([await active(former), await active(token)], [false, false], `revoked in the ${revokedAs} form`);
      }
    });

    it("revocation ends a token at once, for every process, until the token would have expired", async () => {
      const tokens = await Promise.all(Array.from({ length: 10 }, () => issue()));
      const [gone, kept] = [tokens.slice(0, 5), tokens.slice(5)];
      // Revocations and introspections of the other tokens, all at once.
      const results = await Promise.all([...gone.map((t) => client.tokenRevocation(rp.config, t)), ...kept.map((t) => active(t))]);
      assert.deepEqual(results.slice(gone.length), kept.map(() => true));
      for (const t of gone) assert.equal(await active(t), false);
      for (const t of kept) assert.equal(await active(t), true);
      // Another process has nothing in memory: the database says so.
      const jti = (t: string) => signedBody(t);
      const store = new OidcStore(s.app.container.ds);
      for (const t of gone) assert.equal(await store.signedTokenUsable(jti(t).p.jti, rp.clientId, jti(t).t), false);
      for (const t of kept) assert.equal(await store.signedTokenUsable(jti(t).p.jti, rp.clientId, jti(t).t), true);
      // The marker lives as long as the token: it is purged with the expired rows, not before.
      const [marker] = await s.app.container.ds.query(`SELECT expires_at FROM ${s.app.container.ds.driver.escape("oidc_payloads")} WHERE kind = 'RevokedClientCredentials' AND client_id = '${rp.clientId}' LIMIT 1`);
      assert.ok(Number((marker as { expires_at: number | string }).expires_at) >= Date.now() + (s.cfg.ttl.accessToken - 5) * 1000);
      await s.app.container.oidcStore.purgeExpired();
      assert.equal(await active(gone[0]!), false);
    });

    it("a disabled client's tokens are refused and work again once it is enabled; a deleted client's never again", async () => {
      const other = await registerRp(s, { ...CC, name: "Deleted later" });
      const token = await issue(other);
      assert.ok(await found(token));
      await s.app.container.clients.setEnabled(other.clientId, false);
      assert.equal(await found(token), undefined);
      await s.app.container.clients.setEnabled(other.clientId, true);
      assert.ok(await found(token));
      // Deleted, then registered again under the same id: another client, which the old token is not for.
      const { input } = await s.app.container.clients.get(other.clientId);
      await s.app.container.clients.delete(other.clientId);
      assert.equal(await found(token), undefined);
      await s.app.container.clients.create(input, { clientId: other.clientId });
      assert.equal(await found(token), undefined, "a token of the deleted client");
    });

    it("a token stored by an earlier version still works until revoked", async () => {
      const value = crypto.randomBytes(32).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const payload = { kind: "ClientCredentials", jti: value, clientId: rp.clientId, scope: "email", iat: now, exp: now + 600 };
      await s.app.container.oidcStore.upsert("ClientCredentials", value, payload, 600);
      assert.equal(await active(value), true);
      await client.tokenRevocation(rp.config, value);
      assert.equal(await active(value), false);
      assert.equal(await s.app.container.oidcStore.find("ClientCredentials", { id: value }), undefined, "deleted, as before");
    });
  });
}
