// Configuration: defaults, derived values, and a clear error naming the variable.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("config", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.issuer, "http://localhost:3000");
    assert.equal(c.database.type, "sqlite");
    assert.equal(c.kdfIterations, 600_000);
    assert.deepEqual(c.subjectTypes, ["pairwise", "public"]);
    assert.equal(c.secureCookies, false);
  });

  it("derives the issuer from PORT, secure cookies from https, PostgreSQL from DATABASE_URL", () => {
    assert.equal(loadConfig({ PORT: "4000" }).issuer, "http://localhost:4000");
    const c = loadConfig({ ISSUER: "https://id.example.com/", DATABASE_URL: "postgres://u@h/db" });
    assert.equal(c.issuer, "https://id.example.com");
    assert.equal(c.secureCookies, true);
    assert.deepEqual(c.database, { type: "postgres", url: "postgres://u@h/db", schema: "public" });
  });

  it("names the variable that is wrong", () => {
    assert.throws(() => loadConfig({ PORT: "http" }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ ISSUER: "not a url" }), /ISSUER/);
    assert.throws(() => loadConfig({ TRUST_PROXY: "maybe" }), /TRUST_PROXY/);
    assert.throws(() => loadConfig({ SUBJECT_TYPES: "nothing" }), /SUBJECT_TYPES/);
  });

  it("documents every variable in .env.example", () => {
    const example = fs.readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const source = fs.readFileSync(new URL("../../src/config.ts", import.meta.url), "utf8");
    const vars = [...source.matchAll(/^  ([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
    assert.ok(vars.length > 20);
    for (const v of vars) assert.match(example, new RegExp(`^#? ?${v}=`, "m"), `${v} is missing from .env.example`);
  });

  it("documents every variable in the README's configuration table", () => {
    const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const source = fs.readFileSync(new URL("../../src/config.ts", import.meta.url), "utf8");
    for (const [, v] of source.matchAll(/^  ([A-Z][A-Z0-9_]+): /gm)) assert.ok(readme.includes(`| \`${v}\` |`), `${v} is missing from README.md`);
  });
});
