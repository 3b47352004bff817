// `passport verifiers ...` and `passport verifier-agent ...` as an operator runs them (a child
// process with the server's environment); results checked through the services.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config.js";
import { type Container, createContainer } from "../../src/container.js";
import { createHolder } from "../helpers/accounts.js";
import { databases, pgNotice, testEnv } from "../helpers/server.js";
import { runCli, type Run } from "../helpers/cli.js";
import crypto from "node:crypto";
import { generateHolderKeys, sealJson, SUBMISSION_TYP } from "../../src/credentials/index.js";
import { generateVaultKey, sealItem } from "../../src/crypto/index.js";

const ok = (r: Run): Run => {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, "");
  return r;
};
const failed = (r: Run): string => {
  assert.equal(r.code, 1, r.stdout);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  return lines[0]!;
};

pgNotice();

for (const db of databases()) {
  describe(`cli: verifiers (${db})`, () => {
    let env: Record<string, string>;
    let c: Container;
    const cli = (args: string[]) => runCli(env, args);

    before(async () => {
      env = testEnv(db, { LOG_LEVEL: "silent", VERIFIER_TRUST_FRAMEWORKS: "uk_tfida" });
      c = await createContainer(loadConfig(env));
    });
    after(async () => {
      if (db === "postgres") await c.ds.query(`DROP SCHEMA "${env.DATABASE_SCHEMA}" CASCADE`);
      await c.close();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    });

    it("add, list, update, disable, enable, members add/list/remove", async () => {
      const added = ok(await cli(["verifiers", "add", "--json", "--slug", "acme-kyc", "--name", "Acme KYC", "--trust-framework", "uk_tfida", "--assurance-level", "high", "--evidence-method", "pipp", "--evidence-method", "sripp"])).json();
      assert.equal(added.slug, "acme-kyc");
      assert.deepEqual(added.evidence_methods, ["pipp", "sripp"]);
      assert.equal(added.keys, false);
      assert.match(added.issuer, /\/verifiers\/acme-kyc$/);
      assert.match(failed(await cli(["verifiers", "add", "--slug", "x-kyc", "--name", "X", "--trust-framework", "made_up", "--assurance-level", "high", "--evidence-method", "pipp"])), /trustFramework: must be one of eidas, de_aml, uk_tfida/);
      assert.match(failed(await cli(["verifiers", "add", "--slug", "acme-kyc", "--name", "X", "--trust-framework", "eidas", "--assurance-level", "high", "--evidence-method", "pipp"])), /exists already/);
      const list = ok(await cli(["verifiers", "list", "--json"])).json();
      assert.deepEqual(list.map((v: { slug: string }) => v.slug), ["acme-kyc"]);
      assert.match(ok(await cli(["verifiers", "list"])).stdout, /acme-kyc\s+Acme KYC\s+uk_tfida/);
      const updated = ok(await cli(["verifiers", "update", "acme-kyc", "--json", "--name", "Acme Compliance", "--trust-framework", "de_aml"])).json();
      assert.equal(updated.name, "Acme Compliance");
      assert.equal(updated.trust_framework, "de_aml");
      assert.deepEqual(updated.evidence_methods, ["pipp", "sripp"], "untouched options stay");
      assert.equal(ok(await cli(["verifiers", "disable", "acme-kyc", "--json"])).json().status, "disabled");
      assert.equal((await c.verifiers.get("acme-kyc")).status, "disabled");
      assert.equal(ok(await cli(["verifiers", "enable", "acme-kyc", "--json"])).json().status, "active");
      assert.match(failed(await cli(["verifiers", "disable", "nobody"])), /no verifier nobody/);

      const staff = await createHolder(c);
      assert.match(failed(await cli(["verifiers", "members", "add", "acme-kyc", "nobody@example.test"])), /no account with the email/);
      assert.equal(ok(await cli(["verifiers", "members", "add", "acme-kyc", staff.email, "--json"])).json().account_id, staff.id);
      assert.deepEqual(ok(await cli(["verifiers", "members", "list", "acme-kyc", "--json"])).json().map((m: { email: string }) => m.email), [staff.email]);
      ok(await cli(["verifiers", "members", "remove", "acme-kyc", staff.email]));
      assert.deepEqual(await c.verifiers.members("acme-kyc"), []);
      assert.match(failed(await cli(["verifiers", "members", "remove", "acme-kyc", staff.email])), /is not a member/);
    });

    it("verifier-agent keys-init writes a 0600 key file and registers the public keys; review needs a mode", async () => {
      await c.verifiers.create({ slug: "robot-kyc", name: "Robot KYC", trustFramework: "eidas", assuranceLevel: "high", evidenceMethods: ["pipp"] });
      const file = path.join(env.DATA_DIR!, "robot-keys.json");
      const r = ok(await cli(["verifier-agent", "keys-init", "--verifier", "robot-kyc", "--out", file, "--json"])).json();
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal((await c.verifiers.get("robot-kyc")).signingJwk?.kid, r.kid);
      assert.match(failed(await cli(["verifier-agent", "keys-init", "--verifier", "robot-kyc", "--out", `${file}.2`])), /has keys already/);
      assert.match(failed(await cli(["verifier-agent", "review", "--verifier", "robot-kyc", "--keys", file])), /--approve-all or --decide/);
      const review = ok(await cli(["verifier-agent", "review", "--verifier", "robot-kyc", "--keys", file, "--approve-all", "--json"])).json();
      assert.deepEqual(review, { approved: [], rejected: [], skipped: [] });

      // A holder's submission (made through the services as the vault page would), decided by a script.
      const holder = await createHolder(c);
      const vaultKey = await generateVaultKey();
      const made = await generateHolderKeys(vaultKey, holder.id);
      await c.holderKeys.put(holder.id, { signingJwk: made.publicJwks.signing as never, encryptionJwk: made.publicJwks.encryption as never, wrapped: made.wrapped });
      const itemId = crypto.randomUUID();
      await c.vault.saveItem(holder.id, "passport", { id: itemId, version: 0, ...(await sealItem(vaultKey, { id: itemId, type: "passport", version: 1 }, { document_no: "X1" })), fileIds: [] });
      const v = await c.verifiers.get("robot-kyc");
      const sealed = await sealJson(v.encryptionJwk!, { items: [{ id: itemId, type: "passport", version: 1, fields: { document_no: "X1" }, files: [] }], holder: { signingJwk: made.publicJwks.signing } }, SUBMISSION_TYP);
      const sub = await c.submissions.submit(holder.id, { verifier: "robot-kyc", items: [{ itemId, version: 1 }], sealed, fileIds: [] });
      const script = path.join(env.DATA_DIR!, "decide.sh");
      fs.writeFileSync(script, `#!/bin/sh\ncat >/dev/null\necho '{"decision":"reject","reasons":[{"itemType":"passport","kind":"front_side","message":"too dark"}]}'\n`, { mode: 0o700 });
      const decided = ok(await cli(["verifier-agent", "review", "--verifier", "robot-kyc", "--keys", file, "--decide", script, "--json"])).json();
      assert.deepEqual(decided.rejected, [sub.id]);
      const mine = await c.submissions.listForHolder(holder.id);
      assert.deepEqual(mine[0]!.reasons, [{ itemType: "passport", kind: "front_side", message: "too dark" }]);
    });
  });
}
