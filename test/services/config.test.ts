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

  it("reads the S3 blob store's settings, and refuses an incomplete set", () => {
    assert.equal(loadConfig({}).blobs.s3, null);
    const c = loadConfig({ BLOB_STORE: "s3", S3_BUCKET: "scans", S3_ENDPOINT: "http://127.0.0.1:9000/", S3_FORCE_PATH_STYLE: "true", S3_PREFIX: "passport/" });
    assert.deepEqual(c.blobs.s3, { bucket: "scans", endpoint: "http://127.0.0.1:9000", region: "us-east-1", accessKeyId: "", secretAccessKey: "", forcePathStyle: true, prefix: "passport/" });
    assert.throws(() => loadConfig({ BLOB_STORE: "s3" }), /S3_BUCKET: required when BLOB_STORE=s3/);
    assert.throws(() => loadConfig({ BLOB_STORE: "s3", S3_BUCKET: "scans", S3_ACCESS_KEY_ID: "k" }), /S3_SECRET_ACCESS_KEY/);
    assert.throws(() => loadConfig({ BLOB_STORE: "s3", S3_BUCKET: "Bad_Bucket" }), /S3_BUCKET/);
    assert.throws(() => loadConfig({ BLOB_STORE: "s3", S3_BUCKET: "scans", S3_PREFIX: "/abs" }), /S3_PREFIX/);
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
