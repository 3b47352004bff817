// Builds the relying-party SDK (src/sdk) in the two forms every Passport server serves under /sdk/
// (src/routes/sdk.ts):
//   dist/sdk/passport-sdk.js   one ES module for browsers, jose and zod bundled in;
//   dist/sdk/passport-sdk.tgz  an npm package ("passport-sdk": ESM for Node with zod bundled,
//                              `jose` a declared dependency, TypeScript declarations), made by
//                              `npm pack`, so `npm install <issuer>/sdk/passport-sdk.tgz` takes it.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Relative imports of a declaration file, resolved to .d.ts paths under `dir`. */
function declarationImports(file) {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)\.js"/gm)].map((m) => path.resolve(path.dirname(file), `${m[1]}.d.ts`));
}

/** Emits declarations for src/sdk/index.ts and copies the files it needs (nothing else) into `out`. */
function declarations(root, out, tmp) {
  const tsc = path.join(root, "node_modules", ".bin", "tsc");
  const flags = ["--ignoreConfig", "--declaration", "--emitDeclarationOnly", "--skipLibCheck", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2023,dom", "--types", "node", "--rootDir", path.join(root, "src"), "--outDir", tmp];
  execFileSync(tsc, [...flags, path.join(root, "src/sdk/index.ts")], { stdio: "inherit" });
  const todo = [path.join(tmp, "sdk/index.d.ts")];
  const done = new Set();
  while (todo.length) {
    const file = todo.pop();
    if (done.has(file)) continue;
    done.add(file);
    const target = path.join(out, path.relative(tmp, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
    todo.push(...declarationImports(file));
  }
  // A consumer installs only jose: a declaration importing any other package would not resolve.
  for (const file of done) {
    for (const m of fs.readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^".][^"]*)"/gm)) {
      if (m[1] !== "jose") throw new Error(`SDK declarations import ${m[1]} (${path.relative(tmp, file)}); only jose is a dependency`);
    }
  }
}

function packageJson(root) {
  const own = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  return {
    name: "passport-sdk",
    version: own.version,
    description: "Relying-party SDK for Passport: opens and checks the passport claim and shared scans",
    license: own.license,
    type: "module",
    main: "./index.js",
    types: "./types/sdk/index.d.ts",
    exports: { ".": { types: "./types/sdk/index.d.ts", default: "./index.js" }, "./package.json": "./package.json" },
    engines: { node: ">=20" },
    dependencies: { jose: own.dependencies.jose },
  };
}

const README = `# passport-sdk

The relying-party SDK of a Passport server, installed from that server:

    npm install <issuer>/sdk/passport-sdk.tgz

    import { openPassport, downloadScan, verifyCredentials } from "passport-sdk";

verifyCredentials checks the verifiers' attestations (SD-JWT VC with key binding) in an opened
payload. See <issuer>/docs/integrate for the whole flow.
`;

export async function buildSdk(root) {
  const dist = path.join(root, "dist/sdk");
  const stage = path.join(root, "dist/sdk-package");
  const pkg = path.join(stage, "package");
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(pkg, { recursive: true });
  fs.mkdirSync(dist, { recursive: true });

  const common = { bundle: true, format: "esm", logLevel: "warning", legalComments: "inline" };
  await build({ ...common, entryPoints: [path.join(root, "src/sdk/browser.ts")], outfile: path.join(dist, "passport-sdk.js"), platform: "browser", target: ["chrome110", "firefox110", "safari16"], minify: true });
  await build({ ...common, entryPoints: [path.join(root, "src/sdk/index.ts")], outfile: path.join(pkg, "index.js"), platform: "node", target: "node20", external: ["jose"], minifyWhitespace: true, minifySyntax: true });

  declarations(root, path.join(pkg, "types"), path.join(stage, "dts"));
  const manifest = packageJson(root);
  fs.writeFileSync(path.join(pkg, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(pkg, "README.md"), README);

  const out = execFileSync("npm", ["pack", pkg, "--pack-destination", stage, "--ignore-scripts", "--offline", "--json", "--silent"], { encoding: "utf8" });
  const [{ filename }] = JSON.parse(out);
  fs.renameSync(path.join(stage, filename), path.join(dist, "passport-sdk.tgz"));
  fs.rmSync(stage, { recursive: true, force: true });
}
