// Runs a quick-start snippet as a developer would: the page's text saved as an ES module in a
// folder of its own, with the packages it imports resolvable, imported, and its two steps called
// around the holder's walk through Passport.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/cli.js";

/** The text of <pre id="snippet-…"> on a client page, unescaped as the browser shows it. */
export function snippetOf(html: string, id: string): string {
  const m = html.match(new RegExp(`<pre class="code" id="snippet-${id}"[^>]*>([\\s\\S]*?)</pre>`));
  assert.ok(m, `no snippet ${id} on the page`);
  return m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A folder whose node_modules links the worktree's packages (those a project would install). */
export function snippetProject(links: string[] = ["openid-client", "jose"]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-snippet-"));
  fs.mkdirSync(path.join(dir, "node_modules"));
  for (const name of links) fs.symlinkSync(path.join(ROOT, "node_modules", name), path.join(dir, "node_modules", name), "dir");
  return dir;
}

export interface SignInSteps {
  startSignIn(): Promise<{ url: string; saved: Record<string, string> }>;
  finishSignIn(callbackUrl: string, saved: Record<string, string>): Promise<{ claims: Record<string, unknown>; userinfo: Record<string, unknown>; passport?: any; accessToken: string }>;
}

let n = 0;
/** Imports `code` from a file in `dir`, with `env` set while it loads (it reads its secrets then). */
export async function loadSnippet(dir: string, code: string, env: Record<string, string>): Promise<SignInSteps> {
  const file = path.join(dir, `snippet-${++n}.mjs`);
  fs.writeFileSync(file, code);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return (await import(pathToFileURL(file).href)) as SignInSteps;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
