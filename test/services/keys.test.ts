// Signing keys: generated once and kept, rotated with overlap (the previous public key stays in
// the JWKS until what it signed has expired), sealed at rest when KEY_ENCRYPTION_SECRET is set,
// and picked up by a running server after another process rotates them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { ServerKeyStore } from "../../src/db/server-keys.js";
import { KeyRing } from "../../src/oidc/keys.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { Agent } from "../helpers/agent.js";
import { createHolder } from "../helpers/accounts.js";
import { openTestDb } from "../helpers/database.js";
import { codeFlow, registerRp } from "../helpers/oidc.js";
import { databases, startServer } from "../helpers/server.js";

const HOUR = 3600_000;

for (const db of databases()) {
  describe(`key ring (${db})`, () => {
    it("generates RSA, EC and OKP keys once and keeps them", async () => {
      const t = await openTestDb(db);
      try {
        const ring = new KeyRing(new ServerKeyStore(t.ds), new SecretBox(""), HOUR);
        await ring.ensureSigningKeys();
        const first = await ring.signingKeys();
        await ring.ensureSigningKeys();
        const second = await ring.signingKeys();
        assert.deepEqual(second.jwks.map((k) => k.kid), first.jwks.map((k) => k.kid));
        assert.deepEqual(first.jwks.map((k) => k.kty).sort(), ["EC", "OKP", "RSA"]);
        assert.ok(first.jwks.every((k) => typeof k.d === "string"), "private keys for the provider");
      } finally {
        await t.drop();
      }
    });

    it("pairs the keys it loads with their own version, so a rotation landing meanwhile is reloaded", async () => {
      const t = await openTestDb(db);
      try {
        const store = new ServerKeyStore(t.ds);
        const ring = new KeyRing(store, new SecretBox(""), HOUR);
        const other = new KeyRing(new ServerKeyStore(t.ds), new SecretBox(""), HOUR); // the CLI, say
        await ring.ensureSigningKeys();
        // Another process rotates right after this one has read the key rows.
        const list = store.list.bind(store);
        store.list = async (use) => {
          const rows = await list(use);
          store.list = list;
          await other.rotateSigningKeys();
          return rows;
        };
        const loaded = await ring.signingKeys();
        const fresh = (await ring.signingKeys()).jwks.map((k) => k.kid);
        assert.ok(!fresh.every((k) => loaded.jwks.some((j) => j.kid === k)), "the rotation landed after the read");
        assert.notEqual(await ring.signingVersion(), loaded.version, "the next check sees a change, so the process reloads");
      } finally {
        await t.drop();
      }
    });

    it("publishes new keys for the activation delay before they sign, and reloads when they start", async () => {
      const t = await openTestDb(db);
      try {
        const ring = new KeyRing(new ServerKeyStore(t.ds), new SecretBox(""), HOUR, 2 * 60_000);
        await ring.ensureSigningKeys();
        const first = (await ring.signingKeys()).jwks.find((k) => k.kty === "RSA")!.kid;
        assert.ok(first, "on a first start the only keys sign at once");
        const now = Date.now();
        const fresh = await ring.rotateSigningKeys(now);
        const during = await ring.signingKeys(now + 60_000);
        assert.equal(during.jwks.find((k) => k.kty === "RSA")!.kid, first, "the old key still signs while the new one is being published");
        assert.ok(fresh.every((kid) => during.jwks.some((k) => k.kid === kid)), "the new keys are published at once");
        const later = await ring.signingKeys(Date.now() + 2 * 60_000 + 1); // the delay counts from when the keys were made
        assert.ok(fresh.includes(later.jwks.find((k) => k.kty === "RSA")!.kid!), "the new key signs after the delay");
        assert.notEqual(later.version, during.version, "a process polling then reloads");
        assert.equal(await ring.signingVersion(now + 60_000), during.version);
      } finally {
        await t.drop();
      }
    });

    it("rotates with overlap and drops retired keys after it", async () => {
      const t = await openTestDb(db);
      try {
        const ring = new KeyRing(new ServerKeyStore(t.ds), new SecretBox(""), HOUR);
        await ring.ensureSigningKeys();
        const old = (await ring.signingKeys()).jwks.map((k) => k.kid);
        const now = Date.now();
        const fresh = await ring.rotateSigningKeys(now);
        const after = (await ring.signingKeys()).jwks.map((k) => k.kid);
        assert.deepEqual(after.slice(0, 3).sort(), [...fresh].sort(), "new keys first: they sign");
        assert.deepEqual(after.slice(3).sort(), [...old].sort(), "old keys still published");
        assert.equal(await ring.dropExpired(now + HOUR / 2), 0, "kept within the overlap");
        assert.equal(await ring.dropExpired(now + HOUR + 1000), 3, "dropped after it");
        assert.deepEqual((await ring.signingKeys()).jwks.map((k) => k.kid).sort(), [...fresh].sort());
      } finally {
        await t.drop();
      }
    });

    it("seals private keys at rest with KEY_ENCRYPTION_SECRET and refuses a wrong secret", async () => {
      const t = await openTestDb(db);
      try {
        const ring = new KeyRing(new ServerKeyStore(t.ds), new SecretBox("operator secret"), HOUR);
        await ring.ensureSigningKeys();
        const rows: { private_data: string }[] = await t.ds.query("SELECT private_data FROM server_keys");
        assert.ok(rows.length >= 3);
        for (const r of rows) {
          assert.match(r.private_data, /^enc:v1:/);
          assert.doesNotMatch(r.private_data, /"d"/);
        }
        const wrong = new KeyRing(new ServerKeyStore(t.ds), new SecretBox("another secret"), HOUR);
        await assert.rejects(wrong.signingKeys(), /does not open the stored keys/);
        const none = new KeyRing(new ServerKeyStore(t.ds), new SecretBox(""), HOUR);
        await assert.rejects(none.signingKeys(), /set KEY_ENCRYPTION_SECRET/);
      } finally {
        await t.drop();
      }
    });
  });

  describe(`key rotation in a running server (${db})`, () => {
    it("signs with the new key after a refresh, and old tokens still verify", async () => {
      const s = await startServer(db);
      try {
        const holder = await createHolder(s.app.container);
        const rp = await registerRp(s);
        const agent = new Agent(s.url);
        const before = await codeFlow(rp, agent, holder);
        const oldKid = JSON.parse(Buffer.from(before.tokens.id_token!.split(".")[0]!, "base64url").toString()).kid;

        await s.app.container.keys.rotateSigningKeys();
        assert.equal(await s.app.host.refresh(), true, "the server notices the rotation");
        assert.equal(await s.app.host.refresh(), false, "and only once");

        const jwks = createRemoteJWKSet(new URL(`${s.url}/jwks`));
        await jwtVerify(before.tokens.id_token!, jwks, { issuer: s.url });
        const rp2 = await registerRp(s);
        const after = await codeFlow(rp2, agent, holder);
        const newKid = JSON.parse(Buffer.from(after.tokens.id_token!.split(".")[0]!, "base64url").toString()).kid;
        assert.notEqual(newKid, oldKid);
        const info = await client.fetchUserInfo(rp.config, before.tokens.access_token, before.claims.sub);
        assert.equal(info.email, holder.email, "tokens from before the rotation keep working");
      } finally {
        await s.close();
      }
    });
  });
}
