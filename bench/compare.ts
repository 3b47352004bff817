// `npm run bench:compare -- <other tree> [--db postgres]`: this tree's Passport against another
// checkout's (e.g. `git archive <commit> | tar -x -C /tmp/before`, with node_modules linked) and
// the bare oidc-provider, all three in the same alternating rounds. On a machine shared with other
// work, before/after read from one run are worth more than two runs of `npm run bench`.
// `npm run bench:compare -- --plain [--db postgres]`: the other side is the bare oidc-provider on a
// plain adapter over the same database (servers/plain-adapters.ts) instead of another tree, so
// the table shows what the database alone costs next to what Passport costs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import { benchSettings } from "./settings.js";
import { ServerProcess } from "./ipc.js";
import type { OursReady } from "./fixtures.js";
import { endpoints, type Endpoint } from "./endpoints.js";
import { runLoad, type LoadResult } from "./load.js";
import type { Target } from "./target.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Side {
  target: Target;
  rounds: { result: LoadResult; cpu: number }[];
}

async function round(ep: Endpoint, t: Target, seconds: number, warmRps: number, connections: number) {
  const count = Math.max(connections * 10, Math.ceil(warmRps * seconds * 1.2));
  const spec = await ep.prepare(t, ep.singleUse ? count : 0);
  const before = await t.proc.call<number>("cpu");
  const result = await runLoad(t.url, spec, ep.singleUse ? { requests: count } : { seconds }, connections);
  return { result, cpu: (await t.proc.call<number>("cpu")) - before };
}

async function main(): Promise<void> {
  const s = benchSettings();
  const args = process.argv.slice(2);
  const plain = args.includes("--plain");
  const other = args.find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--db");
  if (!other && !plain) throw new Error("name the other tree, e.g. /tmp/before, or pass --plain");
  const label = plain ? "plain" : "before";
  const rp = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
  const jwePublicJwk = { ...(await exportJWK(rp.publicKey)), kid: "bench-rp-enc", use: "enc", alg: "ECDH-ES+A256KW" };
  const procs = {
    before: plain ? ServerProcess.start("plain", path.join(here, "servers/bare.ts"), null) : ServerProcess.start("before", path.resolve(other!, "bench/servers/ours.ts"), null),
    after: ServerProcess.start("after", path.join(here, "servers/ours.ts"), null),
    bare: ServerProcess.start("bare", path.join(here, "servers/bare.ts"), null),
  };
  try {
    const start = (p: ServerProcess) => p.call<OursReady>("start", { kdfIterations: s.kdfIterations, logLevel: s.logLevel, jwePublicJwk, db: s.db });
    const after = await start(procs.after);
    const startBare = (p: ServerProcess, db?: typeof s.db) =>
      p.call<{ url: string }>("start", { signingKeys: after.signingKeys, clients: after.clients, account: after.account, plain: db });
    const before: OursReady = plain ? { ...after, ...(await startBare(procs.before, s.db)) } : await start(procs.before);
    const bare = await startBare(procs.bare);
    // Each server its own secrets (each Passport made its own); the bare one takes after's clients.
    const target = (name: "ours" | "bare", url: string, proc: ServerProcess, ready: OursReady): Target => ({
      name,
      url,
      proc,
      secrets: new Map(ready.clients.map((c) => [c.clientId, c.secret])),
      account: ready.account,
    });
    const sides: Record<"before" | "after" | "bare", Side> = {
      before: { target: target(plain ? "bare" : "ours", before.url, procs.before, before), rounds: [] },
      after: { target: target("ours", after.url, procs.after, after), rounds: [] },
      bare: { target: target("bare", bare.url, procs.bare, after), rounds: [] },
    };
    const otherName = plain ? `bare oidc-provider on a plain ${s.db.type} adapter` : other;
    log(`this tree (after) vs ${otherName} (${label}) vs bare oidc-provider in memory, ${s.db.type}; ${s.rounds} rounds of ${(s.seconds / s.rounds).toFixed(1)} s each`);
    log("");
    log(`| endpoint | ${label}/s | after/s | bare/s | after/${label} | ${label}/bare | after/bare | after/bare per round | CPU µs ${label} | after | bare |`);
    log("|---|---|---|---|---|---|---|---|---|---|---|");
    const order = ["before", "after", "bare"] as const;
    for (const ep of endpoints(rp.privateKey).filter((e) => !s.only || s.only.some((o) => e.name.includes(o)))) {
      const warm: Record<string, number> = {};
      for (const k of order) {
        sides[k].rounds = [];
        const t = sides[k].target;
        const n = Math.max(s.connections * 20, 200);
        warm[k] = (await runLoad(t.url, await ep.prepare(t, ep.singleUse ? n : 0), ep.singleUse ? { requests: n } : { seconds: s.warmupSeconds || 1 }, s.connections)).rps;
      }
      for (let r = 0; r < s.rounds; r++) {
        const seq = r % 2 === 0 ? order : [...order].reverse();
        for (const k of seq) sides[k].rounds.push(await round(ep, sides[k].target, s.seconds / s.rounds, warm[k]!, s.connections));
      }
      const rate = (x: Side) => x.rounds.reduce((a, r) => a + r.result.ok, 0) / x.rounds.reduce((a, r) => a + r.result.seconds, 0);
      const cpu = (x: Side) => x.rounds.reduce((a, r) => a + r.cpu, 0) / Math.max(1, x.rounds.reduce((a, r) => a + r.result.ok + r.result.failed, 0));
      const failed = order.map((k) => sides[k].rounds.reduce((a, r) => a + r.result.failed, 0));
      const [b, a, o] = [rate(sides.before), rate(sides.after), rate(sides.bare)];
      const perRound = sides.after.rounds.map((r, i) => r.result.rps / sides.bare.rounds[i]!.result.rps);
      const f = (x: number) => x.toFixed(2);
      log(
        `| ${ep.name} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${o.toFixed(0)} | ${f(a / b)} | ${f(b / o)} | ${f(a / o)} | ${f(Math.min(...perRound))}–${f(Math.max(...perRound))} | ${cpu(sides.before).toFixed(0)} | ${cpu(sides.after).toFixed(0)} | ${cpu(sides.bare).toFixed(0)} |` +
          (failed.some((x) => x > 0) ? ` failed ${label}/after/bare ${failed.join("/")}` : ""),
      );
    }
  } finally {
    await Promise.all(Object.values(procs).map((p) => p.stop()));
  }
}

main().catch((err) => {
  process.stderr.write(`compare failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
