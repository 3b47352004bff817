// `npm run bench:statements [-- --db postgres]`: how many SQL statements (and commits) each
// benchmarked endpoint sends per request on Passport, and which: one request at a time (so nothing overlaps), after a
// warm-up, then BENCH_CONNECTIONS at a time (parallel requests may share a statement). On
// PostgreSQL each statement is one round trip (pg waits for each answer before the next on a
// connection). The drivers are wrapped in the server process only for this (servers/statement-count.ts).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import { benchSettings } from "./settings.js";
import { ServerProcess } from "./ipc.js";
import type { OursReady } from "./fixtures.js";
import { endpoints } from "./endpoints.js";
import type { Target } from "./target.js";
import type { StatementCount } from "./servers/statement-count.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);
const REQUESTS = 20;
const PARALLEL_REQUESTS = 200;

async function main(): Promise<void> {
  const s = benchSettings();
  const rp = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  const jwePublicJwk = { ...(await exportJWK(rp.publicKey)), kid: "bench-rp-enc", use: "enc", alg: "ECDH-ES+A256KW" };
  const proc = ServerProcess.start("ours", path.join(here, "servers/ours.ts"), null);
  try {
    const ours = await proc.call<OursReady>("start", { kdfIterations: s.kdfIterations, logLevel: s.logLevel, jwePublicJwk, db: s.db });
    const t: Target = { name: "ours", url: ours.url, proc, secrets: new Map(ours.clients.map((c) => [c.clientId, c.secret])), account: ours.account };
    log(`Passport on ${s.db.type === "postgres" ? "PostgreSQL" : "SQLite"}: SQL statements per request (${REQUESTS} requests each, one at a time, after a warm-up)`);
    log("");
    log(`| endpoint | statements / request, one at a time | ${s.connections} at a time | commits / request, one at a time | ${s.connections} at a time |`);
    log("|---|---|---|---|---|");
    const details: string[] = [];
    for (const ep of endpoints(rp.privateKey).filter((e) => !s.only || s.only.some((o) => e.name.includes(o)))) {
      const spec = await ep.prepare(t, REQUESTS * 2 + PARALLEL_REQUESTS);
      const send = async () => {
        const res = await fetch(t.url + spec.path, { method: spec.method, headers: spec.headers, body: spec.nextBody ? spec.nextBody() : spec.body });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${ep.name}: ${res.status}`);
      };
      for (let i = 0; i < REQUESTS; i++) await send();
      await proc.call("countStart");
      for (let i = 0; i < REQUESTS; i++) await send();
      const c = await proc.call<StatementCount>("countStop");
      await proc.call("countStart");
      let left = PARALLEL_REQUESTS;
      await Promise.all(Array.from({ length: s.connections }, async () => {
        while (left-- > 0) await send();
      }));
      const parallel = await proc.call<StatementCount>("countStop");
      const per = (x: number, n: number) => (x / n).toFixed(2);
      log(`| ${ep.name} | ${per(c.statements, REQUESTS)} | ${per(parallel.statements, PARALLEL_REQUESTS)} | ${per(c.commits, REQUESTS)} | ${per(parallel.commits, PARALLEL_REQUESTS)} |`);
      details.push(`${ep.name}:`);
      for (const [text, n] of Object.entries(c.texts)) details.push(`  ${(n / REQUESTS).toFixed(2)} × ${text}`);
      details.push(`  ${s.connections} at a time:`);
      for (const [text, n] of Object.entries(parallel.texts)) details.push(`    ${(n / PARALLEL_REQUESTS).toFixed(2)} × ${text}`);
    }
    log("");
    for (const line of details) log(line);
  } finally {
    await proc.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`statement count failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
