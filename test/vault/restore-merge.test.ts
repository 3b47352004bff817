// Restoring a backup, below the page (src/web/vault/restore-merge.ts, backup.ts, restore.ts): when
// two versions of a document are the same, what "keep both" makes of them, which files are accepted
// as backups, the room check before any upload, and which key opens a backup. The whole flow runs
// in Chromium in test/browser/vault.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { combine, fingerprint } from "../../src/web/vault/restore-merge.js";
import { parseBackup } from "../../src/web/vault/backup.js";
import { backupKeyFromPassword, checkRoom, jobsFor, opensWith } from "../../src/web/vault/restore.js";
import { createAccountMaterial, openItem, sealItem } from "../../src/crypto/index.js";

const scan = (name: string, size = 100) => ({ id: crypto.randomUUID(), mime: "image/png", name, size, sha256: crypto.randomBytes(32).toString("hex") });

describe("restoring a backup: merge rules", () => {
  it("finds a document the same after its scans were sealed and uploaded again, and not when a value differs", () => {
    const a = { document_no: "X1", expiry_date: "2030-01-01", front_side: scan("front.png"), translation: [], attestations: ["jwt-a"] };
    const again = { ...a, front_side: { ...a.front_side, id: crypto.randomUUID(), sha256: "0".repeat(64) }, attestations: [] };
    assert.equal(fingerprint(again), fingerprint(a));
    assert.notEqual(fingerprint({ ...a, document_no: "X2" }), fingerprint(a));
    assert.notEqual(fingerprint({ ...a, front_side: scan("other.png") }), fingerprint(a));
  });

  it("keep both: the vault's values stay, the backup fills the gaps, multi-page slots keep the pages of both", () => {
    const shared = scan("bill-page-1.pdf", 300);
    const mine = { files: [shared, scan("bill-page-2.pdf")], translation: [], attestations: ["mine"] };
    const theirs = { files: [{ ...shared, id: crypto.randomUUID() }, scan("bill-page-3.pdf")], translation: [scan("tr.png")], attestations: ["theirs"] };
    const both = combine(mine, theirs);
    assert.deepEqual((both.files as { name: string }[]).map((f) => f.name), ["bill-page-1.pdf", "bill-page-2.pdf", "bill-page-3.pdf"], "the same page is not doubled");
    assert.deepEqual((both.translation as { name: string }[]).map((f) => f.name), ["tr.png"]);
    assert.deepEqual(both.attestations, ["mine"], "verification is the vault's own");

    const person = combine({ first_name: "Augusta", middle_name: "", last_name: "Lovelace" }, { first_name: "Ada", middle_name: "King", last_name: "Byron" });
    assert.deepEqual(person, { first_name: "Augusta", middle_name: "King", last_name: "Lovelace" });
    const front = scan("front.png");
    assert.equal(combine({ document_no: "A" }, { document_no: "B", front_side: front }).front_side, front, "a missing single scan comes from the backup");
  });

  it("reads a backup and refuses what is not one, in words", () => {
    const good = {
      format: "passport-backup/v1",
      exportedAt: "2026-01-01T00:00:00.000Z",
      email: "a@example.test",
      kdf: { alg: "pbkdf2-sha256", iterations: 600000, salt: "c2FsdHNhbHRzYWx0c2FsdA" },
      wrappedVaultKey: "v1.x.y",
      items: [{ id: crypto.randomUUID(), type: "passport", version: 1, ciphertext: "abc", wrappedKey: "v1.a.b", createdAt: 1, updatedAt: 1 }],
      files: [],
    };
    assert.equal(parseBackup(JSON.stringify(good)).items.length, 1);
    assert.throws(() => parseBackup("{not json"), /not a Passport backup \(it is not JSON\)/);
    assert.throws(() => parseBackup(JSON.stringify({ ...good, format: "passport-backup/v9" })), /format “passport-backup\/v9”, which this Passport cannot read/);
    assert.throws(() => parseBackup(JSON.stringify({ ...good, items: [{ ...good.items[0], type: "diary" }] })), /not a Passport backup, or it is damaged/);
    assert.throws(() => parseBackup(JSON.stringify({ ...good, items: [good.items[0], { ...good.items[0], id: crypto.randomUUID() }] })), /one document type twice/);
  });
});

describe("restoring a backup: room in the vault", () => {
  const file = (id: string, bytes: number) => ({ id, itemId: crypto.randomUUID(), wrappedKey: "v1.a.b", sha256: "", data: "A".repeat(Math.ceil((bytes * 4) / 3)) });
  const front = scan("front.png");
  const files = new Map<string, ReturnType<typeof file>>([[front.id, file(front.id, 600)]]);
  const lookup = (id: string) => files.get(id)!;
  const mineItem = (bytes: number) => ({ id: crypto.randomUUID(), type: "passport", version: 1, ciphertext: "", wrappedKey: "", size: 0, verification: "unverified", errors: [], createdAt: 0, updatedAt: 0, files: [{ id: crypto.randomUUID(), itemId: null, size: bytes, sha256: "", wrappedKey: "", createdAt: 0 }] });

  it("refuses before any upload when the scans to copy do not fit, counting what a replaced document frees", () => {
    const theirs = { document_no: "B", front_side: front };
    const added = jobsFor([{ type: "passport", theirs, mine: null, same: false }], () => "backup");
    assert.throws(() => checkRoom({ quota: 1000, usage: 500 }, added, lookup), /need 600 B of scans, and your vault has 500 B free/);
    assert.doesNotThrow(() => checkRoom({ quota: 1000, usage: 400 }, added, lookup));
    // Taking the backup's passport over mine frees mine's 200 bytes.
    const replacing = jobsFor([{ type: "passport", theirs, mine: { item: mineItem(200) as never, data: { document_no: "A" } }, same: false }], () => "backup");
    assert.doesNotThrow(() => checkRoom({ quota: 1000, usage: 500 }, replacing, lookup));
    // "Keep mine" needs nothing.
    assert.deepEqual(jobsFor([{ type: "passport", theirs, mine: { item: mineItem(200) as never, data: { document_no: "A" } }, same: false }], () => "mine"), []);
  });
});

describe("restoring a backup: which key opens it", () => {
  it("this vault's key when it made the backup; otherwise the password the backup's account had then", async () => {
    const then = await createAccountMaterial("the password back then", 1000);
    const now = await createAccountMaterial("today's password", 1000);
    const item = { id: crypto.randomUUID(), type: "passport" as const, version: 1 };
    const sealed = await sealItem(then.vaultKey, item, { document_no: "OLD-1" });
    const backup = parseBackup(
      JSON.stringify({
        format: "passport-backup/v1",
        exportedAt: "2026-01-01T00:00:00.000Z",
        email: "a@example.test",
        kdf: then.body.kdf,
        wrappedVaultKey: then.body.wrappedVaultKey,
        items: [{ ...item, ...sealed, createdAt: 1, updatedAt: 1 }],
        files: [],
      }),
    );
    assert.equal(await opensWith(then.vaultKey, backup), true);
    assert.equal(await opensWith(now.vaultKey, backup), false, "an account made anew has another vault key");
    await assert.rejects(backupKeyFromPassword(backup, "today's password"), /does not open the backup\. Enter the password you had when you made it/);
    const key = await backupKeyFromPassword(backup, "the password back then");
    assert.deepEqual(await openItem(key, item, sealed), { document_no: "OLD-1" });
  });
});
