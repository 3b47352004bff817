// The verifier API's rules over HTTP, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: members
// only, submissions of one's own current items, one open submission per item and verifier, the
// per-holder limit, atomic and idempotent status index reservations, decisions and revocations as
// compare-and-sets, files for members of the submission's verifier only, withdrawal, deletion.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateVerifierKeys, importVerifierKeys, newStatusListToken, openJson, readStatusListToken, revokeInStatusListToken, SUBMISSION_TYP, CREDENTIAL_TYP } from "../../src/credentials/index.js";
import { openFile } from "../../src/crypto/index.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { readVault, saveItem, signUpHolder } from "../helpers/vault.js";
import { approve, keyedHolder, keyedVerifier, passportItem, submit, uniqueSlug } from "./helpers.js";

pgNotice();

for (const db of databases()) {
  describe(`verifier API (${db})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(db, { VERIFIER_MAX_OPEN_SUBMISSIONS: "3" });
    });
    after(() => s.close());

    it("submit, queue, open, download, reserve, approve: the item is verified and the holder gets a sealed credential", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const scan = crypto.randomBytes(700);
      const p = await passportItem(h, undefined, scan);
      const list = (await h.agent.get("/api/verifiers")).json().verifiers;
      const pub = list.find((x: { slug: string }) => x.slug === v.slug);
      assert.equal(pub.issuer, v.issuer);
      assert.equal(pub.trust_framework, "eidas");
      assert.ok(pub.accepts.includes("passport") && !pub.accepts.includes("email"));
      assert.equal(pub.encryption_jwk.d, undefined);

      const sub = await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId], { fields: "x", fileKey: p.fileKey.wrappedKey });
      assert.equal(sub.status, 201, sub.text);
      const id = sub.json().submission.id;
      assert.equal(sub.json().submission.state, "submitted");
      assert.equal((await h.agent.get("/api/vault/submissions")).json().submissions[0].id, id);

      const queue = await v.member.agent.get(`/api/verifiers/${v.slug}/submissions?state=submitted`);
      assert.equal(queue.status, 200, queue.text);
      assert.deepEqual(queue.json().submissions.map((x: { id: string }) => x.id), [id]);
      const detail = (await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}`)).json();
      assert.deepEqual(await openJson(v.keys.encryptionKey, detail.sealed, SUBMISSION_TYP), { fields: "x", fileKey: p.fileKey.wrappedKey });
      assert.deepEqual(detail.holderSigningJwk, h.keys.signingJwk);
      const file = await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}/files/${p.fileId}`);
      assert.equal(file.status, 200);
      assert.deepEqual(Buffer.from(await openFile(h.vaultKey, p.fileId, p.fileKey.wrappedKey, new Uint8Array(file.bytes))), scan, "the member gets the ciphertext the holder's key opens");

      const r1 = (await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} })).json();
      const r2 = (await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} })).json();
      assert.deepEqual(r1, r2, "reservation is idempotent per submission");
      assert.equal(r1.statusList.uri, `${v.issuer}/status/${v.listId}`);

      const ok = await approve(v, id);
      assert.equal(ok.status, 204, ok.text);
      const vault = await readVault(h);
      assert.equal(vault.items.find((i: { id: string }) => i.id === p.itemId).verification, "verified");
      const creds = (await h.agent.get("/api/vault/credentials")).json().credentials;
      assert.equal(creds.length, 1);
      assert.equal(creds[0].current, true);
      assert.equal(creds[0].revoked, false);
      assert.equal(creds[0].verifier.slug, v.slug);
      // The server keeps the standard, not the document data the console may send along.
      assert.deepEqual(creds[0].verification.evidence, [{ type: "document", method: "pipp", document_details: { type: "passport" } }]);
      assert.equal(creds[0].verification.trust_framework, "eidas");
      const sdJwt = await openJson<string>(h.keys.encryptionKey, creds[0].sealed, CREDENTIAL_TYP);
      assert.match(sdJwt, /^ey[^.]+\.[^.]+\.[^~]+~/);
      assert.equal((await h.agent.get("/api/vault/submissions")).json().submissions[0].state, "approved");
      // The decision is final; the files are no longer shared.
      assert.equal((await approve(v, id)).status, 409);
      assert.equal((await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}/files/${p.fileId}`)).status, 409);

      // Revocation: a new list with this bit set, signed by the verifier, at the current version.
      const status = (await v.member.agent.get(`/api/verifiers/${v.slug}/status/${v.listId}`)).json();
      const token = await revokeInStatusListToken(status.token, r1.indices[p.itemId], v.keys.signingKey, v.keys.publicJwks.signing.kid!);
      const rv = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/credentials/${creds[0].id}/revoke`, { json: { token, version: status.version } });
      assert.equal(rv.status, 204, rv.text);
      assert.equal((await h.agent.get("/api/vault/credentials")).json().credentials[0].revoked, true);
      const served = await fetch(`${v.issuer}/status/${v.listId}`);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "application/statuslist+jwt");
      assert.match(served.headers.get("cache-control") ?? "", /max-age=60/);
      assert.ok(readStatusListToken(await served.text()).isRevoked(r1.indices[p.itemId]));
    });

    it("only members use a verifier's console API (403), and unknown verifiers are 404", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const id = (await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId])).json().submission.id;
      const stranger = await keyedHolder(s);
      for (const path of ["console", "submissions", `submissions/${id}`, `submissions/${id}/files/${p.fileId}`, `status/${v.listId}`]) {
        assert.equal((await stranger.agent.get(`/api/verifiers/${v.slug}/${path}`)).status, 403, path);
      }
      for (const path of [`submissions/${id}/reserve`, `submissions/${id}/reject`]) {
        assert.equal((await stranger.agent.request("POST", `/api/verifiers/${v.slug}/${path}`, { json: { reasons: [{ itemType: "passport", kind: "data", message: "x" }] } })).status, 403, path);
      }
      // The holder is no member either, and a member of another verifier cannot reach this one's submissions.
      assert.equal((await h.agent.get(`/api/verifiers/${v.slug}/submissions/${id}`)).status, 403);
      const other = await keyedVerifier(s);
      assert.equal((await other.member.agent.get(`/api/verifiers/${other.slug}/submissions/${id}`)).status, 404);
      assert.equal((await other.member.agent.get(`/api/verifiers/${other.slug}/submissions/${id}/files/${p.fileId}`)).status, 404);
      assert.equal((await v.member.agent.get(`/api/verifiers/no-such-verifier/console`)).status, 404);
      assert.equal((await new (await import("../helpers/agent.js")).Agent(s.url).get(`/api/verifiers/${v.slug}/console`)).status, 401);
      // A file id of the holder's that is not in the submission.
      const q = await passportItem(await keyedHolder(s));
      assert.equal((await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}/files/${q.fileId}`)).status, 404);
    });

    it("submits only the holder's own items at their current version and files of those items", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const other = await keyedHolder(s);
      const theirs = await passportItem(other);
      let r = await submit(h, v, [{ itemId: theirs.itemId, version: theirs.version }]);
      assert.equal(r.status, 400, r.text);
      assert.ok(r.json().fields["items.0.itemId"]);
      r = await submit(h, v, [{ itemId: p.itemId, version: p.version }], [theirs.fileId]);
      assert.equal(r.status, 400);
      assert.ok(r.json().fields.fileIds);
      r = await submit(h, v, [{ itemId: p.itemId, version: p.version + 1 }]);
      assert.equal(r.status, 409);
      const email = await saveItem(h, "email", { email: "a@example.org" });
      r = await submit(h, v, [{ itemId: email.id, version: 1 }]);
      assert.equal(r.status, 400, "email is verified by code, not by verifiers");
      r = await h.agent.request("POST", "/api/vault/submissions", { json: { verifier: v.slug, items: [{ itemId: p.itemId, version: p.version }], sealed: "not.a.jwe.at.all", fileIds: [] } });
      assert.equal(r.status, 400);
      r = await h.agent.request("POST", "/api/vault/submissions", { json: { verifier: v.slug, items: [] } });
      assert.equal(r.status, 400);
      // Disabled verifiers and verifiers without keys take nothing.
      await s.app.container.verifiers.setStatus(v.slug, "disabled");
      assert.equal((await submit(h, v, [{ itemId: p.itemId, version: p.version }])).status, 409);
      assert.ok(!(await h.agent.get("/api/verifiers")).json().verifiers.some((x: { slug: string }) => x.slug === v.slug));
      await s.app.container.verifiers.setStatus(v.slug, "active");
      const keyless = uniqueSlug();
      await s.app.container.verifiers.create({ slug: keyless, name: "No keys", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp"] });
      assert.equal((await submit(h, { ...v, slug: keyless }, [{ itemId: p.itemId, version: p.version }])).status, 409);
      // A holder without holder keys cannot submit (nothing to bind a credential to).
      const bare = await signUpHolder(s.url);
      const bp = await passportItem(bare);
      assert.equal((await submit(bare, v, [{ itemId: bp.itemId, version: bp.version }])).status, 409);
    });

    it("parallel submits of one item to one verifier: exactly one is taken", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const answers = await Promise.all(Array.from({ length: 4 }, () => submit(h, v, [{ itemId: p.itemId, version: p.version }])));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409]);
      assert.equal((await h.agent.get("/api/vault/submissions")).json().submissions.length, 1);
      // Withdrawn, it may be submitted again; another verifier may have it at the same time.
      const id = answers.find((a) => a.status === 201)!.json().submission.id;
      assert.equal((await h.agent.request("POST", `/api/vault/submissions/${id}/withdraw`, { json: {} })).status, 204);
      assert.equal((await h.agent.request("POST", `/api/vault/submissions/${id}/withdraw`, { json: {} })).status, 409);
      assert.equal((await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} })).status, 409, "a withdrawn submission reserves nothing");
      assert.equal((await submit(h, v, [{ itemId: p.itemId, version: p.version }])).status, 201);
      const w = await keyedVerifier(s);
      assert.equal((await submit(h, w, [{ itemId: p.itemId, version: p.version }])).status, 201);
      const stranger = await keyedHolder(s);
      assert.equal((await stranger.agent.request("POST", `/api/vault/submissions/${id}/withdraw`, { json: {} })).status, 404);
    });

    it("parallel submits of many items count against the open-submissions limit (3) before inserting", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const types = ["passport", "driver_license", "identity_card", "internal_passport", "utility_bill", "address"];
      const items = [];
      for (const t of types) {
        const { id, res } = await saveItem(h, t, { x: 1 });
        assert.equal(res.status, 200, res.text);
        items.push({ itemId: id, version: 1 });
      }
      const answers = await Promise.all(items.map((i) => submit(h, v, [i])));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 201, 429, 429, 429]);
      assert.equal(answers.find((a) => a.status === 429)!.json().code, "too_many_submissions");
    });

    it("parallel reservations get distinct indices; parallel decisions: one wins, the other 409", async () => {
      const v = await keyedVerifier(s);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const h = await keyedHolder(s);
        const p = await passportItem(h);
        ids.push((await submit(h, v, [{ itemId: p.itemId, version: p.version }])).json().submission.id);
      }
      const reserve = (id: string) => v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} });
      const all = await Promise.all([...ids, ids[0]!, ids[0]!].map(reserve));
      for (const a of all) assert.equal(a.status, 200, a.text);
      const idx = all.slice(0, 4).map((a) => Object.values(a.json().indices)[0] as number);
      assert.equal(new Set(idx).size, 4, `distinct: ${idx}`);
      assert.deepEqual(all[4]!.json(), all[0]!.json());
      assert.deepEqual(all[5]!.json(), all[0]!.json());

      // A second member decides at the same time as the first.
      const second = await keyedHolder(s);
      await s.app.container.verifiers.addMember(v.slug, second.email);
      const [a, b] = await Promise.all([approve(v, ids[1]!), v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${ids[1]}/reject`, { json: { reasons: [{ itemType: "passport", kind: "data", field: "document_no", message: "unreadable" }] } })]);
      assert.deepEqual([a.status, b.status].sort(), [204, 409]);
      const [c, d] = await Promise.all([
        second.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${ids[2]}/reject`, { json: { reasons: [{ itemType: "passport", kind: "selfie", message: "blurred" }] } }),
        v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${ids[2]}/reject`, { json: { reasons: [{ itemType: "passport", kind: "front_side", message: "cut off" }] } }),
      ]);
      assert.deepEqual([c.status, d.status].sort(), [204, 409]);
      // Rejection reasons must name a submitted type and one of the nine kinds.
      const bad = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${ids[3]}/reject`, { json: { reasons: [{ itemType: "address", kind: "data", message: "x" }] } });
      assert.equal(bad.status, 400);
      assert.equal((await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${ids[3]}/reject`, { json: { reasons: [{ itemType: "passport", kind: "nope", message: "x" }] } })).status, 400);
      // Approval needs the reserved indices.
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const fresh = (await submit(h, v, [{ itemId: p.itemId, version: p.version }])).json().submission.id;
      const noReserve = await v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${fresh}/approve`, { json: { credentials: [{ itemId: p.itemId, sealed: `${"a".repeat(30)}.b.c.d.e`, statusListId: v.listId, statusIndex: 0, verification: {}, expiresAt: 1 }] } });
      assert.equal(noReserve.status, 409);
    });

    it("the status list fills up: reservations stop at its size", async () => {
      const v = await keyedVerifier(s, { size: 16 });
      const ids: string[] = [];
      const holders = await Promise.all(Array.from({ length: 3 }, () => keyedHolder(s)));
      for (const h of holders) {
        for (const t of ["passport", "driver_license", "identity_card"]) {
          const { id } = await saveItem(h, t, { x: 1 });
          ids.push((await submit(h, v, [{ itemId: id, version: 1 }])).json().submission.id);
        }
      }
      // 9 submissions, 16 entries: all fit; then 9 more of 1 item would need 18.
      const more = await Promise.all(Array.from({ length: 3 }, () => keyedHolder(s)));
      for (const h of more) {
        for (const t of ["passport", "driver_license", "identity_card"]) {
          const { id } = await saveItem(h, t, { x: 1 });
          ids.push((await submit(h, v, [{ itemId: id, version: 1 }])).json().submission.id);
        }
      }
      const answers = await Promise.all(ids.map((id) => v.member.agent.request("POST", `/api/verifiers/${v.slug}/submissions/${id}/reserve`, { json: {} })));
      assert.equal(answers.filter((a) => a.status === 200).length, 16);
      assert.equal(answers.filter((a) => a.status === 409).length, 2);
      const idx = answers.filter((a) => a.status === 200).map((a) => Object.values(a.json().indices)[0] as number);
      assert.deepEqual([...idx].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
    });

    it("approval marks an item verified only if its version still matches", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const id = (await submit(h, v, [{ itemId: p.itemId, version: p.version }], [p.fileId])).json().submission.id;
      const changed = await saveItem(h, "passport", { first_name: "Changed", front_side: p.fileId }, { id: p.itemId, version: p.version, fileIds: [p.fileId] });
      assert.equal(changed.res.status, 200);
      assert.equal((await approve(v, id)).status, 204);
      assert.equal((await readVault(h)).items[0].verification, "unverified");
      const creds = (await h.agent.get("/api/vault/credentials")).json().credentials;
      assert.equal(creds[0].current, false);
    });

    it("revocation checks signature, the bit, cleared bits and the version (compare-and-set)", async () => {
      const v = await keyedVerifier(s);
      const credentials: { id: string; idx: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const h = await keyedHolder(s);
        const p = await passportItem(h);
        const id = (await submit(h, v, [{ itemId: p.itemId, version: p.version }])).json().submission.id;
        assert.equal((await approve(v, id)).status, 204);
        const c = (await h.agent.get("/api/vault/credentials")).json().credentials[0];
        const detail = (await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}`)).json();
        credentials.push({ id: c.id, idx: detail.credentials[0].statusIndex });
      }
      const kid = v.keys.publicJwks.signing.kid!;
      const current = async () => (await v.member.agent.get(`/api/verifiers/${v.slug}/status/${v.listId}`)).json();
      const revoke = (id: string, token: string, version: number) => v.member.agent.request("POST", `/api/verifiers/${v.slug}/credentials/${id}/revoke`, { json: { token, version } });
      const [c0, c1, c2] = credentials as [{ id: string; idx: number }, { id: string; idx: number }, { id: string; idx: number }];
      let st = await current();
      // Signed by another key.
      const stranger = await importVerifierKeys((await generateVerifierKeys()).privateJwks);
      let r = await revoke(c0.id, await revokeInStatusListToken(st.token, c0.idx, stranger.signingKey, kid), st.version);
      assert.equal(r.status, 400, r.text);
      // The credential's own bit not set (another one's is).
      r = await revoke(c0.id, await revokeInStatusListToken(st.token, c1.idx, v.keys.signingKey, kid), st.version);
      assert.equal(r.status, 400);
      // Right.
      assert.equal((await revoke(c0.id, await revokeInStatusListToken(st.token, c0.idx, v.keys.signingKey, kid), st.version)).status, 204);
      assert.equal((await revoke(c0.id, await revokeInStatusListToken(st.token, c0.idx, v.keys.signingKey, kid), st.version)).status, 409, "revoked already");
      // A list made from the old token clears c0's bit again.
      r = await revoke(c1.id, await revokeInStatusListToken(st.token, c1.idx, v.keys.signingKey, kid), st.version + 1);
      assert.equal(r.status, 400, r.text);
      assert.match(r.json().detail, new RegExp(`entry ${c0.idx}`));
      // Two revocations from the same version at once: one wins, the other 409.
      st = await current();
      const [a, b] = await Promise.all([
        revoke(c1.id, await revokeInStatusListToken(st.token, c1.idx, v.keys.signingKey, kid), st.version),
        revoke(c2.id, await revokeInStatusListToken(st.token, c2.idx, v.keys.signingKey, kid), st.version),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [204, 409]);
      // A stale version.
      r = await revoke(c2.id, await revokeInStatusListToken(st.token, c2.idx, v.keys.signingKey, kid), st.version);
      assert.ok(r.status === 409 || r.status === 204);
    });

    it("key set-up is a compare-and-set, and the first status list must be the verifier's own and empty", async () => {
      const c = s.app.container;
      const slug = uniqueSlug();
      await c.verifiers.create({ slug, name: "Race", trustFramework: "de_aml", assuranceLevel: "substantial", evidenceMethods: ["pipp"] });
      const m1 = await keyedHolder(s);
      const m2 = await keyedHolder(s);
      await c.verifiers.addMember(slug, m1.email);
      await c.verifiers.addMember(slug, m2.email);
      const issuer = `${s.url}/verifiers/${slug}`;
      const body = async (m: typeof m1, opts: { sub?: string; revoked?: number } = {}) => {
        const made = await generateVerifierKeys();
        const keys = await importVerifierKeys(made.privateJwks);
        const kid = made.publicJwks.signing.kid!;
        let statusListToken = await newStatusListToken({ issuer, uri: opts.sub ?? `${issuer}/status/${crypto.randomUUID()}`, size: 64, signingKey: keys.signingKey, kid });
        if (opts.revoked !== undefined) statusListToken = await revokeInStatusListToken(statusListToken, opts.revoked, keys.signingKey, kid);
        const { sealVerifierKeys } = await import("../../src/credentials/index.js");
        return { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, sealedKeys: await sealVerifierKeys(made.privateJwks, m.keys.encryptionJwk), statusListToken };
      };
      const post = (m: typeof m1, b: unknown) => m.agent.request("POST", `/api/verifiers/${slug}/keys`, { json: b });
      assert.equal((await post(m1, await body(m1, { sub: `${s.url}/verifiers/other/status/${crypto.randomUUID()}` }))).status, 400);
      assert.equal((await post(m1, await body(m1, { revoked: 3 }))).status, 400);
      const withPrivate = await body(m1);
      assert.equal((await post(m1, { ...withPrivate, signingJwk: { ...withPrivate.signingJwk, d: "x".repeat(43) } })).status, 400);
      assert.equal((await post(m1, { ...withPrivate, statusListToken: (await body(m1)).statusListToken })).status, 400, "a list signed by another key");
      assert.equal((await c.verifiers.issuerMetadata(slug).catch((e: { status: number }) => e.status)), 404);
      const [a, b] = await Promise.all([post(m1, await body(m1)), post(m2, await body(m2))]);
      assert.deepEqual([a.status, b.status].sort(), [201, 409]);
      // The winner shares the keys with the other member, once.
      const winner = a.status === 201 ? m1 : m2;
      const loser = winner === m1 ? m2 : m1;
      const con = (await winner.agent.get(`/api/verifiers/${slug}/console`)).json();
      assert.ok(con.sealedKeys);
      assert.deepEqual(con.waiting.map((w: { accountId: string }) => w.accountId), [loser.id]);
      const share = () => winner.agent.request("POST", `/api/verifiers/${slug}/members/${loser.id}/keys`, { json: { sealedKeys: con.sealedKeys } });
      assert.equal((await share()).status, 204);
      assert.equal((await share()).status, 409);
      assert.equal((await loser.agent.get(`/api/verifiers/${slug}/console`)).json().sealedKeys, con.sealedKeys);
    });

    it("deleting a holder's account removes their submissions, credentials and holder keys", async () => {
      const v = await keyedVerifier(s);
      const h = await keyedHolder(s);
      const p = await passportItem(h);
      const id = (await submit(h, v, [{ itemId: p.itemId, version: p.version }])).json().submission.id;
      assert.equal((await approve(v, id)).status, 204);
      const h2 = await keyedHolder(s);
      const p2 = await passportItem(h2);
      const open = (await submit(h2, v, [{ itemId: p2.itemId, version: p2.version }])).json().submission.id;
      const c = s.app.container;
      await c.accounts.deleteByOperator(h.id);
      await c.accounts.deleteByOperator(h2.id);
      const count = async (table: string, col: string, id: string) => Number((await c.ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${col} = ${db === "postgres" ? "$1" : "?"}`, [id]))[0].n);
      for (const acct of [h.id, h2.id]) {
        assert.equal(await count("submissions", "account_id", acct), 0);
        assert.equal(await count("credentials", "account_id", acct), 0);
        assert.equal(await count("holder_keys", "account_id", acct), 0);
      }
      assert.equal(await count("submission_open_items", "submission_id", open), 0);
      assert.equal((await v.member.agent.get(`/api/verifiers/${v.slug}/submissions/${id}`)).status, 404);
    });
  });
}
