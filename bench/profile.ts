// `npm run bench:profile -- <endpoint> [--db postgres]`: V8 CPU profiles of both servers covering
// only the measured requests of one endpoint (after setup and a warm-up), plus the request count,
// so a profile reads as time per request. Writes ours.cpuprofile and bare.cpuprofile to
// BENCH_CPU_PROF_DIR (default: a new temp folder) and prints where they are.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import { benchSettings } from "./settings.js";
import { ServerProcess } from "./ipc.js";
import type { OursReady } from "./fixtures.js";
import { endpoints } from "./endpoints.js";
import { runLoad } from "./load.js";
import type { Target } from "./target.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const s = benchSettings();
  const name = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--db");
  if (!name) throw new Error("name an endpoint (part of its name), e.g. introspection");
  const dir = s.cpuProfDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "passport-profile-"));
  fs.mkdirSync(dir, { recursive: true });
  const rp = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  const jwePublicJwk = { ...(await exportJWK(rp.publicKey)), kid: "bench-rp-enc", use: "enc", alg: "ECDH-ES+A256KW" };
  const ep = endpoints(rp.privateKey).find((e) => e.name.includes(name));
  if (!ep) throw new Error(`no endpoint named like ${name}`);
  const oursProc = ServerProcess.start("ours", path.join(here, "servers/ours.ts"), null);
  const bareProc = ServerProcess.start("bare", path.join(here, "servers/bare.ts"), null);
  try {
    const ours = await oursProc.call<OursReady>("start", { kdfIterations: s.kdfIterations, logLevel: s.logLevel, jwePublicJwk, db: s.db });
    const bare = await bareProc.call<{ url: string }>("start", { signingKeys: ours.signingKeys, clients: ours.clients, account: ours.account });
    const secrets = new Map(ours.clients.map((c) => [c.clientId, c.secret]));
    const targets: Target[] = [
      { name: "ours", url: ours.url, proc: oursProc, secrets, account: ours.account },
      { name: "bare", url: bare.url, proc: bareProc, secrets, account: ours.account },
    ];
    for (const t of targets) {
      // Single-use endpoints get a fixed request count; the others run for BENCH_SECONDS.
      const count = 4000;
      const bound = ep.singleUse ? { requests: count } : { seconds: s.seconds };
      await runLoad(t.url, await ep.prepare(t, count), ep.singleUse ? { requests: count } : { seconds: s.warmupSeconds || 1 }, s.connections);
      const spec = await ep.prepare(t, count);
      const file = path.join(dir, `${t.name}.cpuprofile`);
      const before = await t.proc.call<number>("cpu");
      await t.proc.call("profileStart");
      const r = await runLoad(t.url, spec, bound, s.connections);
      await t.proc.call("profileStop", file);
      const cpu = (await t.proc.call<number>("cpu")) - before;
      log(`${t.name}: ${r.ok} ok, ${r.failed} failed, ${r.rps.toFixed(0)} req/s, CPU ${(cpu / (r.ok + r.failed)).toFixed(0)} µs/req → ${file}`);
    }
  } finally {
    await Promise.all([oursProc.stop(), bareProc.stop()]);
  }
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
