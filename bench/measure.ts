// Measures one endpoint on both servers: a warm-up each, then alternating rounds (ours first in
// even rounds, bare first in odd ones) so that whatever else the machine does touches both
// alike. Besides requests per second it records each server's own CPU time per request, which
// background load on the machine disturbs far less than throughput.
import type { Endpoint } from "./endpoints.js";
import { runLoad, type LoadResult } from "./load.js";
import type { BenchSettings } from "./settings.js";
import type { Target } from "./target.js";
import { databaseCpuReader } from "./database-cpu.js";

export interface Measured {
  rps: number;
  /** Median over rounds. */
  p99: number;
  ok: number;
  failed: number;
  seconds: number;
  cpuPerRequest: number;
  /** The database server's CPU time per request while this server was measured (PostgreSQL on this machine), or null. */
  dbCpuPerRequest: number | null;
  rounds: LoadResult[];
  statuses: Record<string, number>;
}

interface RoundResult {
  result: LoadResult;
  /** The server's CPU µs spent in the round. */
  cpu: number;
  /** The database server's, or null when it cannot be read. */
  dbCpu: number | null;
}

interface Runner {
  /** Runs one round of about `seconds`. */
  round(seconds: number): Promise<RoundResult>;
}

async function runner(ep: Endpoint, t: Target, s: BenchSettings): Promise<Runner> {
  // Only Passport uses the database; the bare provider's rounds leave it idle.
  const dbCpu = t.name === "ours" ? databaseCpuReader(s.db) : null;
  const withCpu = async (run: () => Promise<LoadResult>): Promise<RoundResult> => {
    const before = await t.proc.call<number>("cpu");
    const dbBefore = dbCpu ? dbCpu() : null;
    const result = await run();
    const dbSpent = dbCpu && dbBefore !== null ? dbCpu() - dbBefore : null;
    return { result, cpu: (await t.proc.call<number>("cpu")) - before, dbCpu: dbSpent };
  };
  if (!ep.singleUse) {
    const spec = await ep.prepare(t, 0);
    if (s.warmupSeconds > 0) await runLoad(t.url, spec, { seconds: s.warmupSeconds }, s.connections);
    return { round: (seconds) => withCpu(() => runLoad(t.url, spec, { seconds }, s.connections)) };
  }
  // Single-use inputs: a warm-up of fixed size tells the rate; each round then mints (untimed)
  // and sends as many requests as that rate fills in the round's seconds, plus a fifth.
  const warmCount = Math.max(s.connections * 20, 200);
  const warm = await runLoad(t.url, await ep.prepare(t, warmCount), { requests: warmCount }, s.connections);
  return {
    async round(seconds) {
      const count = Math.max(s.connections * 10, Math.ceil(warm.rps * seconds * 1.2));
      const spec = await ep.prepare(t, count);
      return withCpu(() => runLoad(t.url, spec, { requests: count }, s.connections));
    },
  };
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

function summarize(rounds: RoundResult[]): Measured {
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((a, r) => a + f(r.result), 0);
  const ok = sum((r) => r.ok);
  const failed = sum((r) => r.failed);
  const seconds = sum((r) => r.seconds);
  const statuses: Record<string, number> = {};
  for (const { result } of rounds) for (const [k, v] of Object.entries(result.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    rps: ok / seconds,
    p99: median(rounds.map((r) => r.result.p99)),
    ok,
    failed,
    seconds,
    cpuPerRequest: rounds.reduce((a, r) => a + r.cpu, 0) / Math.max(1, ok + failed),
    dbCpuPerRequest: rounds.some((r) => r.dbCpu === null) ? null : rounds.reduce((a, r) => a + r.dbCpu!, 0) / Math.max(1, ok + failed),
    rounds: rounds.map((r) => r.result),
    statuses,
  };
}

export async function measurePair(ep: Endpoint, ours: Target, bare: Target, s: BenchSettings): Promise<[Measured, Measured]> {
  const runners = [await runner(ep, ours, s), await runner(ep, bare, s)] as const;
  const results: RoundResult[][] = [[], []];
  const roundSeconds = s.seconds / s.rounds;
  for (let r = 0; r < s.rounds; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) results[i]!.push(await runners[i]!.round(roundSeconds));
  }
  return [summarize(results[0]!), summarize(results[1]!)];
}
