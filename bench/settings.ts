// Benchmark settings from BENCH_* environment variables (the benchmark is a tool, not the server:
// src/config.ts stays the only reader of the server's own settings). Every value is printed with
// the results so a run can be repeated.
export interface BenchSettings {
  /** Measured seconds per endpoint and server, split into `rounds`. */
  seconds: number;
  /** Alternating rounds (ours, bare, bare, ours, …) so background load hits both alike. */
  rounds: number;
  /** Unmeasured seconds before each measurement, so both servers run JIT-warm code. */
  warmupSeconds: number;
  /** Concurrent keep-alive connections autocannon holds open. */
  connections: number;
  /** Complete sign-in flows per server, and how many run at once. */
  flows: number;
  flowConcurrency: number;
  /** PBKDF2 iterations of the benchmark account: browser-side work, so kept cheap here. */
  kdfIterations: number;
  /** Passport's LOG_LEVEL during the run ("info" writes one line per request). */
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Only endpoints whose name contains one of these (e.g. "userinfo", "sign-in"; comma-separated in BENCH_ONLY); null runs all. */
  only: string[] | null;
  /** Folder for V8 CPU profiles of both server processes, or null. */
  cpuProfDir: string | null;
  /** Where Passport stores: SQLite in a temp folder, or a fresh schema in this PostgreSQL database. */
  db: { type: "sqlite" } | { type: "postgres"; url: string };
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return v;
}

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** `--db postgres` on the command line, or BENCH_DB; PostgreSQL at BENCH_DATABASE_URL (else TEST_DATABASE_URL). */
function database(env: NodeJS.ProcessEnv, argv: string[]): BenchSettings["db"] {
  const flag = argv.indexOf("--db");
  const kind = (flag >= 0 ? argv[flag + 1] : env.BENCH_DB) || "sqlite";
  if (kind === "sqlite") return { type: "sqlite" };
  if (kind !== "postgres") throw new Error(`--db / BENCH_DB must be sqlite or postgres, got "${kind}"`);
  const url = env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL;
  if (!url) throw new Error("--db postgres needs BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/test");
  return { type: "postgres", url };
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): BenchSettings {
  const logLevel = (env.BENCH_LOG_LEVEL || "warn") as BenchSettings["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`BENCH_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    seconds: num(env, "BENCH_SECONDS", 5, 0.5, 600),
    rounds: Math.round(num(env, "BENCH_ROUNDS", 5, 1, 100)),
    warmupSeconds: num(env, "BENCH_WARMUP_SECONDS", 1, 0, 60),
    connections: Math.round(num(env, "BENCH_CONNECTIONS", 10, 1, 1000)),
    flows: Math.round(num(env, "BENCH_FLOWS", 200, 1, 100_000)),
    flowConcurrency: Math.round(num(env, "BENCH_FLOW_CONCURRENCY", 4, 1, 64)),
    kdfIterations: Math.round(num(env, "BENCH_KDF_ITERATIONS", 1000, 1, 10_000_000)),
    logLevel,
    only: env.BENCH_ONLY ? env.BENCH_ONLY.split(",").map((x) => x.trim()).filter(Boolean) : null,
    cpuProfDir: env.BENCH_CPU_PROF_DIR || null,
    db: database(env, argv),
  };
}
