// `npm run bench`: Passport (SQLite) against a bare oidc-provider 9 (in-memory), measured in the
// same run on the same machine with the same keys, clients and token policies. Each server runs
// in its own child process; autocannon and the simulated browsers run here. See bench/README.md.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { exportJWK, generateKeyPair } from "jose";
import { benchSettings, type BenchSettings } from "./settings.js";
import { ServerProcess } from "./ipc.js";
import { BARE_STORE_ENTRIES, type OursReady } from "./fixtures.js";
import { endpoints } from "./endpoints.js";
import { measurePair, type Measured } from "./measure.js";
import { runFlows, type FlowResult } from "./flows.js";
import { goalText, table, type Row } from "./report.js";
import type { Target } from "./target.js";
import { databaseCpuReader } from "./database-cpu.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);
const SIGN_IN = "full sign-in (code flow + PKCE)";

function endpointRow(name: string, goal: number | null, o: Measured, b: Measured): Row {
  const perRound = o.rounds.map((r, i) => r.ok / r.seconds / (b.rounds[i]!.ok / b.rounds[i]!.seconds));
  return {
    name,
    goal,
    unit: "req",
    ours: { rate: o.rps, p99: o.p99, failed: o.failed, cpu: o.cpuPerRequest, dbCpu: o.dbCpuPerRequest },
    bare: { rate: b.rps, p99: b.p99, failed: b.failed, cpu: b.cpuPerRequest },
    spread: [Math.min(...perRound), Math.max(...perRound)],
  };
}

/** Sign-ins against the argon2id floor: ours' flows/s and the bare verify loop's rate, over the same rounds. */
interface Argon2Floor {
  flowsPerSecond: number;
  verifiesPerSecond: number;
  /** Lowest and highest per-round ratio sign-ins / verifications. */
  spread: [number, number];
}

/**
 * Sign-ins in alternating rounds, like the endpoints; CPU is the server's per flow. After ours'
 * flows in each round, the Passport process runs as many bare argon2id verifications (same cost,
 * same concurrency), the floor a sign-in cannot go under.
 */
async function signIns(targets: [Target, Target], s: BenchSettings): Promise<{ row: Row; floor: Argon2Floor }> {
  for (const t of targets) await runFlows(t, s.flowConcurrency * 2, s.flowConcurrency);
  const acc = targets.map(() => ({ flows: 0, seconds: 0, cpu: 0, times: [] as number[], rates: [] as number[] }));
  const perRound = Math.max(1, Math.round(s.flows / s.rounds));
  const argon2 = { count: 0, seconds: 0, rates: [] as number[] };
  const argon2Round = async () => {
    const res = await targets[0].proc.call<{ count: number; seconds: number }>("argon2", { count: perRound, concurrency: s.flowConcurrency });
    argon2.count += res.count;
    argon2.seconds += res.seconds;
    argon2.rates.push(res.count / res.seconds);
  };
  await targets[0].proc.call("argon2", { count: s.flowConcurrency * 2, concurrency: s.flowConcurrency });
  for (let r = 0; r < s.rounds; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t = targets[i]!;
      const before = await t.proc.call<number>("cpu");
      const res: FlowResult = await runFlows(t, perRound, s.flowConcurrency);
      const a = acc[i]!;
      a.cpu += (await t.proc.call<number>("cpu")) - before;
      a.flows += res.flows;
      a.seconds += res.seconds;
      a.times.push(...res.times);
      a.rates.push(res.flows / res.seconds);
      if (i === 0) await argon2Round();
    }
  }
  const side = (a: (typeof acc)[number]) => {
    a.times.sort((x, y) => x - y);
    return { rate: a.flows / a.seconds, p99: a.times[Math.ceil(0.99 * a.times.length) - 1]!, failed: 0, cpu: a.cpu / a.flows };
  };
  const [o, b] = [side(acc[0]!), side(acc[1]!)];
  const ratios = acc[0]!.rates.map((x, i) => x / acc[1]!.rates[i]!);
  const floorRatios = acc[0]!.rates.map((x, i) => x / argon2.rates[i]!);
  const floor: Argon2Floor = { flowsPerSecond: o.rate, verifiesPerSecond: argon2.count / argon2.seconds, spread: [Math.min(...floorRatios), Math.max(...floorRatios)] };
  log(`  sign-ins: ours ${o.rate.toFixed(1)} flows/s, bare ${b.rate.toFixed(1)} flows/s, ratio ${(o.rate / b.rate).toFixed(2)}; argon2id loop ${floor.verifiesPerSecond.toFixed(1)}/s`);
  return { row: { name: SIGN_IN, goal: null, unit: "flows", ours: o, bare: b, spread: [Math.min(...ratios), Math.max(...ratios)] }, floor };
}

function floorText(f: Argon2Floor, s: BenchSettings): string {
  const r = (x: number) => x.toFixed(2);
  return [
    `| full sign-ins (ours) | argon2id verify loop | sign-ins / argon2id | rounds |`,
    `|---|---|---|---|`,
    `| ${f.flowsPerSecond.toFixed(1)} flows/s | ${f.verifiesPerSecond.toFixed(1)} verifications/s | ${r(f.flowsPerSecond / f.verifiesPerSecond)} | ${r(f.spread[0])}–${r(f.spread[1])} |`,
    `(argon2id loop: bare verifications at the server's cost in the Passport process, ${s.flowConcurrency} at a time, as many per round as the sign-ins, right after them)`,
  ].join("\n");
}

function settingsText(s: BenchSettings, ours: OursReady, load: string): string[] {
  const version = (pkg: string) => (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
  const cpu = os.cpus();
  return [
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, Node ${process.version}, oidc-provider ${version("oidc-provider")}, autocannon ${version("autocannon")}; load average ${load}`,
    `processes: each server in its own child process on 127.0.0.1 (ephemeral ports); autocannon and the simulated browsers in this process`,
    `load: autocannon, ${s.connections} keep-alive connections (BENCH_CONNECTIONS); per endpoint and server ${s.warmupSeconds} s warm-up (BENCH_WARMUP_SECONDS), then ${s.seconds} s measured (BENCH_SECONDS) in ${s.rounds} alternating rounds (BENCH_ROUNDS): ours-bare, bare-ours, …`,
    `figures: req/s = 2xx answers / measured seconds over all rounds (non-2xx are listed as failed); ratio = ours/bare; rounds = lowest–highest per-round ratio; p99 = median of the rounds' p99; CPU µs = server process CPU time (all threads) per request; CPU ratio = bare/ours${databaseCpuReader(s.db) ? "; ours DB CPU µs = the PostgreSQL server's CPU time (all its processes, read from /proc) per request of ours; CPU ratio with DB = bare/(ours + DB)" : ""}`,
    `ours: Passport createApp, ${s.db.type === "postgres" ? "PostgreSQL (a fresh schema, dropped at the end; --db postgres / BENCH_DB)" : "SQLite (WAL, synchronous=NORMAL) in a temp DATA_DIR"}, LOG_LEVEL=${s.logLevel} (BENCH_LOG_LEVEL), argon2id m=${ours.argon2.memoryCost} KiB t=${ours.argon2.timeCost} p=${ours.argon2.parallelism} (server default)`,
    `bare: oidc-provider with the same signing keys, the same clients as static metadata (toOidcMetadata), same scopes/claims/TTLs/algorithms/PKCE/rotation; built-in MemoryAdapter over an LRU of ${BARE_STORE_ENTRIES.toLocaleString("en-US")} entries (default 1,000 would evict the refresh-token pool); findAccount from memory`,
    `refresh_token: rotation on (as configured), so each request spends its own token, minted beforehand (untimed) through the provider's models (Grant + RefreshToken, one grant per token, same code on both servers); each round sends warm-up rate × round seconds × 1.2 requests, one token each`,
    `access tokens for introspection and userinfo: minted the same way (Grant + AccessToken); one token reused for the whole endpoint`,
    `sign-ins: ${s.flows} complete code flows with PKCE per server (BENCH_FLOWS) in the same alternating rounds, ${s.flowConcurrency} at a time (BENCH_FLOW_CONCURRENCY), each in a fresh cookie jar, after ${s.flowConcurrency * 2} warm-up flows; CPU is per flow`,
    `  ours: /auth → sign-in page → /api/prelogin → PBKDF2 (${s.kdfIterations} iterations, BENCH_KDF_ITERATIONS) + HKDF in the simulated browser → /api/session (argon2id verify) → consent page → confirm → code → /token. PBKDF2 is the browser's work (600,000 iterations by default, in the user's browser), so the simulated browser keeps it cheap`,
    `  bare: /auth → an interaction that logs in a fixed account and grants consent at once (no password check) → code → /token`,
  ];
}

async function main(): Promise<void> {
  const s = benchSettings();
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  const rp = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  const jwePublicJwk = { ...(await exportJWK(rp.publicKey)), kid: "bench-rp-enc", use: "enc", alg: "ECDH-ES+A256KW" };
  const oursProc = ServerProcess.start("ours", path.join(here, "servers/ours.ts"), s.cpuProfDir);
  const bareProc = ServerProcess.start("bare", path.join(here, "servers/bare.ts"), s.cpuProfDir);
  try {
    const ours = await oursProc.call<OursReady>("start", { kdfIterations: s.kdfIterations, logLevel: s.logLevel, jwePublicJwk, db: s.db });
    const { account, clients } = ours;
    const bare = await bareProc.call<{ url: string }>("start", { signingKeys: ours.signingKeys, clients, account });
    const secrets = new Map(clients.map((c) => [c.clientId, c.secret]));
    const targets: [Target, Target] = [
      { name: "ours", url: ours.url, proc: oursProc, secrets, account },
      { name: "bare", url: bare.url, proc: bareProc, secrets, account },
    ];
    log(`Passport on ${s.db.type === "postgres" ? "PostgreSQL" : "SQLite"} ${ours.url} (pid ${oursProc.pid}) vs bare oidc-provider ${bare.url} (pid ${bareProc.pid})`);

    const rows: Row[] = [];
    const selected = (name: string) => !s.only || s.only.some((o) => name.includes(o));
    for (const ep of endpoints(rp.privateKey).filter((e) => selected(e.name))) {
      const [o, b] = await measurePair(ep, targets[0], targets[1], s);
      rows.push(endpointRow(ep.name, ep.goal, o, b));
      log(`  ${ep.name}: ours ${o.rps.toFixed(0)} req/s, bare ${b.rps.toFixed(0)} req/s, ratio ${(o.rps / b.rps).toFixed(2)}; CPU µs/req ours ${o.cpuPerRequest.toFixed(0)}${o.dbCpuPerRequest === null ? "" : ` (+ database ${o.dbCpuPerRequest.toFixed(0)})`}, bare ${b.cpuPerRequest.toFixed(0)}`);
      for (const [t, r] of [["ours", o], ["bare", b]] as const) if (r.failed) log(`    ${t}: ${r.failed} failed, statuses ${JSON.stringify(r.statuses)}`);
    }
    const signIn = selected(SIGN_IN) ? await signIns(targets, s) : null;
    if (signIn) rows.push(signIn.row);

    log("");
    log(table(rows));
    if (signIn) {
      log("");
      log(floorText(signIn.floor, s));
    }
    log("");
    log("Settings and method:");
    for (const line of settingsText(s, ours, `${loadBefore} at start, ${os.loadavg()[0]!.toFixed(2)} at end`)) log(`  ${line}`);
    const missed = rows.filter((r) => r.goal !== null && r.ours.rate / r.bare.rate < r.goal).map((r) => `${r.name} (${goalText(r)})`);
    log("");
    log(missed.length ? `Goals (≥ 0.95 of bare on discovery and JWKS, ≥ 0.8 on token and userinfo endpoints) missed on: ${missed.join(", ")}` : "Goals (≥ 0.95 of bare on discovery and JWKS, ≥ 0.8 on token and userinfo endpoints) met on every one.");
  } finally {
    await Promise.all([oursProc.stop(), bareProc.stop()]);
  }
}

main().catch((err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
