// The connected-apps page and API: each client the holder shared with, the share log (which
// document types, when), and never any document content or the sealed payload.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "../helpers/agent.js";
import { databases, pgNotice, startServer, type TestServer } from "../helpers/server.js";
import { signUpHolder, type VaultHolder } from "../helpers/vault.js";
import { sampleFields, storeDocument, type StoredDocument } from "./documents.js";
import { registerPassportRp, sharePassport, type PassportRp, type Shared } from "./flow.js";

pgNotice();

/** A stretch of a payload JWE's ciphertext (its header is the same for every payload to one key). */
const sealedPart = (sh: Shared) => String(sh.userinfo.passport).split(".")[3]!.slice(0, 40);

/**
 * Every string value of a document's plain fields (what must never show on the page), but the
 * two-letter country codes: "DE" turns up by chance in a random client id or CSRF token about once
 * in a hundred pages, so looking for it tests nothing.
 */
const values = (doc: StoredDocument) => Object.values(doc.data).filter((v): v is string => typeof v === "string" && v.length > 2);

for (const db of databases()) {
  describe(`sharing: connected apps (${db})`, () => {
    let s: TestServer;
    let h: VaultHolder;
    let rp: PassportRp;
    let docs: StoredDocument[];
    const shares: Shared[] = [];

    before(async () => {
      s = await startServer(db);
      h = await signUpHolder(s.url);
      docs = [
        await storeDocument(h, "passport", { document_no: "PXQ4815162342", expiry_date: "2033-03-03" }),
        await storeDocument(h, "personal_details", { ...sampleFields("personal_details"), first_name: "Wilhelmina", last_name: "Quarterbridge" }),
      ];
      rp = await registerPassportRp(s, { name: "Acme <Rentals> & Co" });
      shares.push(await sharePassport(s, rp, h, "openid passport:passport passport:personal_details"));
      shares.push(await sharePassport(s, rp, h, "openid passport:passport"));
    });
    after(() => s.close());

    it("the page shows the app, what was shared and when, and no document content", async () => {
      const res = await h.agent.get("/connected");
      assert.equal(res.status, 200);
      const html = res.text;
      assert.ok(html.includes("Acme &lt;Rentals&gt; &amp; Co"), "the client's name, escaped");
      assert.ok(!html.includes("Acme <Rentals>"));
      assert.match(html, /Passport/);
      assert.match(html, /Personal details/);
      assert.match(html, /Passport, Personal details|Personal details, Passport/, "the first share's types");
      // Two shares: two rows in the app's log, each with a time.
      const section = html.slice(html.indexOf(`data-client="${rp.clientId}"`), html.indexOf("</section>", html.indexOf(`data-client="${rp.clientId}"`)));
      // Each a <time> the browser shows in the holder's own zone (UTC until its script runs).
      assert.equal([...section.matchAll(/<tr><td><time datetime="\d{4}-\d{2}-\d{2}T[\d:.]+Z" data-local>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/time><\/td>/g)].length, 2);
      // What the app may read, in words.
      assert.match(section, /<li>Read your passport<\/li>/);
      assert.match(section, /<li>Know who you are \(a private identifier for this service\)<\/li>/);
      assert.doesNotMatch(section, /passport:passport|<li>openid<\/li>/);
      assert.match(html, new RegExp(`action="/connected/${rp.clientId}/revoke"`));

      for (const doc of docs) for (const v of values(doc)) assert.ok(!html.includes(v), `the page does not show ${doc.type} value ${v}`);
      for (const sh of shares) assert.ok(!html.includes(sealedPart(sh)), "nor the sealed payload");
    });

    it("the API lists the app and the log without content", async () => {
      const res = await h.agent.get("/api/connected");
      assert.equal(res.status, 200);
      const body = res.json();
      assert.equal(body.apps.length, 1);
      const app = body.apps[0];
      assert.equal(app.clientId, rp.clientId);
      assert.equal(app.name, "Acme <Rentals> & Co");
      assert.ok(app.scopes.includes("passport:passport") && app.scopes.includes("passport:personal_details"));
      assert.deepEqual(app.log.map((l: { types: string[] }) => [...l.types].sort()), [["passport"], ["passport", "personal_details"]], "newest first");
      for (const l of app.log) assert.deepEqual(Object.keys(l).sort(), ["at", "types"]);
      assert.equal(body.history.length, 2);
      for (const e of body.history) assert.deepEqual(Object.keys(e).sort(), ["at", "clientId", "clientName", "types"]);
      for (const doc of docs) for (const v of values(doc)) assert.ok(!res.text.includes(v), `no ${doc.type} value`);
      for (const sh of shares) assert.ok(!res.text.includes(sealedPart(sh)), "nor the sealed payload");
    });

    it("says so once every app is disconnected, not that none was ever used", async () => {
      const other = await signUpHolder(s.url);
      assert.match((await other.agent.get("/connected")).text, /id="no-apps">No app is connected to your Passport\./);
      await storeDocument(other, "passport");
      const once = await registerPassportRp(s, { name: "Short-lived" });
      await sharePassport(s, once, other, "openid passport:passport");
      const res = await other.agent.request("POST", `/connected/${encodeURIComponent(once.clientId)}/revoke`, { form: {} });
      assert.equal(res.status, 303);
      const page = await other.agent.get(res.location!);
      assert.match(page.text, /id="no-apps">No app is connected now: you have disconnected every app\. The share log below/);
      assert.doesNotMatch(page.text, /not signed in to any app/);
      // And still after a reload without the notice.
      assert.match((await other.agent.get("/connected")).text, /you have disconnected every app/);
    });

    it("shows another holder nothing of this one's apps; needs a signed-in holder", async () => {
      const other = await signUpHolder(s.url);
      const res = await other.agent.get("/api/connected");
      assert.deepEqual(res.json(), { apps: [], history: [] });
      assert.ok(!(await other.agent.get("/connected")).text.includes("Acme"));
      assert.equal((await other.agent.request("POST", `/api/connected/${encodeURIComponent(rp.clientId)}/revoke`, { json: {} })).status, 404, "nor can it disconnect them");

      const anonymous = new Agent(s.url);
      assert.equal((await anonymous.get("/api/connected")).status, 401);
      const page = await anonymous.get("/connected");
      assert.equal(page.status, 303, "the page sends a visitor to sign in");
      assert.equal(new URL(page.location!).pathname + new URL(page.location!).search, "/signin?next=%2Fconnected");
    });
  });
}
