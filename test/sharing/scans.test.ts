// Shared scans at GET /passport/files/:id: ciphertext for the files of the token's share, which
// the SDK checks (SHA-256) and opens; nothing for anyone or anything else.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { downloadScan, PassportError } from "../../src/sdk/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { blobStoreEnv, blobStoreKinds, closeSharedS3 } from "../helpers/blob-stores.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { storeDocument, type StoredDocument } from "./documents.js";
import { registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();
after(closeSharedS3);

const get = (s: TestServer, id: string, authorization?: string) => fetch(`${s.url}/passport/files/${id}`, { headers: authorization ? { authorization } : {} });

for (const [db, store] of databases().flatMap((d) => blobStoreKinds().map((k) => [d, k] as const))) {
  describe(`sharing: scans (${db}, ${store} blobs)`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let passport: StoredDocument;
    let card: StoredDocument;
    let rp: PassportRp;
    let shared: Shared;

    before(async () => {
      s = await startServer(db, await blobStoreEnv(store));
      h = await signUpHolder(s.url);
      passport = await storeDocument(h, "passport");
      card = await storeDocument(h, "identity_card");
      rp = await registerPassportRp(s);
      shared = await sharePassport(s, rp, h, "openid passport:passport");
    });
    after(() => s.close());

    it("serves a shared scan as ciphertext that the SDK checks and opens", async () => {
      const front = shared.payload.data.passport!.files.find((f) => f.role === "front_side")!;
      const scan = passport.scans.find((x) => x.id === front.id)!;
      assert.ok(scan, "the front side is shared");

      const res = await get(s, front.id, `Bearer ${shared.tokens.access_token}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(res.headers.get("x-content-sha256"), scan.sha256);
      const sealed = Buffer.from(await res.arrayBuffer());
      assert.equal(crypto.createHash("sha256").update(sealed).digest("hex"), scan.sha256);
      assert.ok(!sealed.includes(Buffer.from(scan.bytes).subarray(0, 32)), "the server sends ciphertext only");

      const opened = await downloadScan(s.url, shared.tokens.access_token, front);
      assert.ok(Buffer.from(opened).equals(Buffer.from(scan.bytes)));
    });

    it("the SDK refuses a scan whose SHA-256 does not match the payload", async () => {
      const front = shared.payload.data.passport!.files.find((f) => f.role === "front_side")!;
      await assert.rejects(
        downloadScan(s.url, shared.tokens.access_token, { ...front, sha256: "0".repeat(64) }),
        (e: unknown) => e instanceof PassportError && e.code === "hash_mismatch",
      );
    });

    it("answers 404 to another client's access token", async () => {
      const other = await registerPassportRp(s, { name: "Other RP" });
      // The other client got the identity card, with scans of its own.
      const theirs = await sharePassport(s, other, h, "openid passport:identity_card");
      assert.ok(theirs.payload.data.identity_card!.files.length > 0);
      for (const f of shared.payload.data.passport!.files) {
        assert.equal((await get(s, f.id, `Bearer ${theirs.tokens.access_token}`)).status, 404);
      }
      // And the other way round.
      for (const f of theirs.payload.data.identity_card!.files) {
        assert.equal((await get(s, f.id, `Bearer ${shared.tokens.access_token}`)).status, 404);
      }
      await assert.rejects(downloadScan(s.url, theirs.tokens.access_token, shared.payload.data.passport!.files[0]!), (e: unknown) => e instanceof PassportError && e.code === "download_failed");
    });

    it("answers 404 for the holder's files that are not in this share", async () => {
      const token = `Bearer ${shared.tokens.access_token}`;
      const sharedIds = new Set(shared.payload.data.passport!.files.map((f) => f.id));
      const notShared = [...passport.scans, ...card.scans].filter((x) => !sharedIds.has(x.id));
      assert.ok(notShared.some((x) => x.role === "selfie" && passport.scans.includes(x)), "the passport's selfie was not asked for");
      for (const x of notShared) {
        const res = await get(s, x.id, token);
        assert.equal(res.status, 404, `${x.role} of another document or not requested`);
        assert.equal((await res.json()).code, "not_found");
      }
      assert.equal((await get(s, crypto.randomUUID(), token)).status, 404);
      const bad = await get(s, "not-a-file-id", token);
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).detail, /file id/);
    });

    it("answers 401 without a valid access token", async () => {
      const id = shared.payload.data.passport!.files[0]!.id;
      for (const authorization of [undefined, "Bearer ", "Bearer not-a-token", `Bearer ${shared.tokens.access_token}x`, `Basic ${Buffer.from("a:b").toString("base64")}`]) {
        const res = await get(s, id, authorization);
        assert.equal(res.status, 401, String(authorization));
        assert.equal((await res.json()).code, "invalid_token");
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="/, "RFC 6750 challenge");
      }
      // The ID token is not an access token.
      assert.equal((await get(s, id, `Bearer ${shared.tokens.id_token}`)).status, 401);
    });
  });
}
