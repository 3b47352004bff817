// `npm run bench:instructions -- [other tree] [--db postgres]`: machine instructions per request
// of each endpoint, counted by valgrind's callgrind, for Passport (and, given another checkout,
// that one's too) and the bare oidc-provider. Unlike requests per second or CPU time, an
// instruction count hardly moves with other load on the machine, so it shows what a change saved
// even on a busy machine. Each server runs under callgrind with instrumentation off through
// start-up and a warm-up (so V8 has compiled the hot code), then counts BENCH_INSTR_REQUESTS
// requests sent BENCH_CONNECTIONS at a time. The count covers the server process only: not the
// database server (PostgreSQL's own work is not in it) and not the load generator.
import { execFileSync } from "node:child_process";
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
const REQUESTS = Number(process.env.BENCH_INSTR_REQUESTS || 400);
const WARMUP = Number(process.env.BENCH_INSTR_WARMUP || 3000);

/** Instructions counted since the last dump, read from the dump callgrind writes on request. */
function dumpInstructions(pid: number, out: string): number {
  execFileSync("callgrind_control", ["--dump", String(pid)], { stdio: "ignore" });
  // Each dump is a new file <out>.<n>; the newest holds the counts since the previous one.
  const dir = path.dirname(out);
  const files = fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(out)}.`)).map((f) => path.join(dir, f));
  const newest = files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]!;
  const m = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(newest, "utf8"));
  if (!m) throw new Error(`no totals in ${newest}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const s = benchSettings();
  const other = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--db");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-callgrind-"));
  const rp = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  const jwePublicJwk = { ...(await exportJWK(rp.publicKey)), kid: "bench-rp-enc", use: "enc", alg: "ECDH-ES+A256KW" };
  const servers: { label: string; script: string }[] = [
    ...(other ? [{ label: "before", script: path.resolve(other, "bench/servers/ours.ts") }] : []),
    { label: other ? "after" : "ours", script: path.join(here, "servers/ours.ts") },
  ];
  const procs = servers.map((x) => ({ ...x, out: path.join(dir, `${x.label}.out`) })).map((x) => ({ ...x, proc: ServerProcess.start(x.label, x.script, null, { callgrind: x.out }) }));
  const bareOut = path.join(dir, "bare.out");
  const bareProc = ServerProcess.start("bare", path.join(here, "servers/bare.ts"), null, { callgrind: bareOut });
  try {
    const targets: { label: string; out: string; target: Target }[] = [];
    let first: OursReady | undefined;
    for (const p of procs) {
      const ready = await p.proc.call<OursReady>("start", { kdfIterations: s.kdfIterations, logLevel: s.logLevel, jwePublicJwk, db: s.db });
      first ??= ready;
      targets.push({ label: p.label, out: p.out, target: { name: "ours", url: ready.url, proc: p.proc, secrets: new Map(ready.clients.map((c) => [c.clientId, c.secret])), account: ready.account } });
    }
    const bare = await bareProc.call<{ url: string }>("start", { signingKeys: first!.signingKeys, clients: first!.clients, account: first!.account });
    targets.push({ label: "bare", out: bareOut, target: { name: "bare", url: bare.url, proc: bareProc, secrets: new Map(first!.clients.map((c) => [c.clientId, c.secret])), account: first!.account } });

    log(`instructions per request (millions), callgrind, ${s.db.type}; ${WARMUP} warm-up and ${REQUESTS} counted requests, ${s.connections} at a time`);
    log("");
    log(`| endpoint | ${targets.map((t) => t.label).join(" | ")} | ${targets.slice(0, -1).map((t) => `${t.label}/bare`).join(" | ")} |`);
    log(`|---|${targets.map(() => "---").join("|")}|${targets.slice(0, -1).map(() => "---").join("|")}|`);
    for (const ep of endpoints(rp.privateKey).filter((e) => !s.only || s.only.some((o) => e.name.includes(o)))) {
      const per: number[] = [];
      for (const t of targets) {
        const pid = t.target.proc.pid!;
        await runLoad(t.target.url, await ep.prepare(t.target, WARMUP), { requests: WARMUP }, s.connections);
        const spec = await ep.prepare(t.target, REQUESTS);
        execFileSync("callgrind_control", ["-i", "on", String(pid)], { stdio: "ignore" });
        // Switching instrumentation on makes valgrind translate the code again: not counted.
        await runLoad(t.target.url, await ep.prepare(t.target, 50), { requests: 50 }, 1);
        execFileSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" });
        const r = await runLoad(t.target.url, spec, { requests: REQUESTS }, s.connections);
        const n = dumpInstructions(pid, t.out);
        execFileSync("callgrind_control", ["-i", "off", String(pid)], { stdio: "ignore" });
        if (r.failed) throw new Error(`${t.label} ${ep.name}: ${r.failed} failed`);
        per.push(n / (r.ok + r.failed));
      }
      const bareN = per[per.length - 1]!;
      const m = (x: number) => (x / 1e6).toFixed(2);
      log(`| ${ep.name} | ${per.map(m).join(" | ")} | ${per.slice(0, -1).map((x) => (x / bareN).toFixed(2)).join(" | ")} |`);
    }
  } finally {
    await Promise.all([...procs.map((p) => p.proc.stop()), bareProc.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`instruction count failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
