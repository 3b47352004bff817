// src/credentials is isomorphic: it bundles for browsers with no Node built-in (node:crypto and
// friends would make esbuild fail on platform "browser"), and stays small enough for every holder
// and verifier page (@sd-jwt/sd-jwt-vc would add all of zod: docs/decisions.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { build } from "esbuild";
import { ROOT } from "../helpers/cli.js";

test("the credentials library bundles for browsers, without Node built-ins or zod", async () => {
  const r = await build({ entryPoints: [path.join(ROOT, "src/credentials/index.ts")], bundle: true, platform: "browser", format: "esm", write: false, minify: true, metafile: true, logLevel: "silent" });
  const inputs = Object.keys(r.metafile.inputs);
  assert.deepEqual(inputs.filter((f) => /^node:|(^|\/)node_modules\/zod\//.test(f)), []);
  assert.ok(r.outputFiles[0]!.contents.length < 200_000, `bundle is ${r.outputFiles[0]!.contents.length} bytes`);
});
