// Bundles the browser scripts (src/web/*.ts, which use the isomorphic src/crypto) into
// public/js/ with esbuild. Run by `npm start`, `npm test` and `npm run bench`.
import { build } from "esbuild";
import { buildSdk } from "./build-sdk.mjs";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const entries = readdirSync(path.join(root, "src/web"))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => path.join(root, "src/web", f));

await build({
  entryPoints: entries,
  outdir: path.join(root, "public/js"),
  bundle: true,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  minify: true,
  sourcemap: false,
  logLevel: "warning",
  // Turns on the KDF floor (src/crypto/kdf-params.ts) in every browser script. A build-time
  // constant: no server answer, page or query can lower it at run time.
  define: { PASSPORT_BROWSER_BUNDLE: "true" },
});

// The relying-party SDK as plain ESM for any Node relying party (package export "./sdk").
await build({
  entryPoints: [path.join(root, "src/sdk/index.ts")],
  outfile: path.join(root, "dist/sdk/index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});

// The same SDK as served by every Passport server: a browser ES module and an npm tarball.
await buildSdk(root);
