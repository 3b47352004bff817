// A tiny request/answer protocol over Node's IPC channel between the benchmark and the server
// processes it forks. Each server runs in its own process so it has a whole event loop to itself
// while autocannon (in the parent) loads it.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { Session } from "node:inspector/promises";

interface Call {
  id: number;
  cmd: string;
  arg: unknown;
}
type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (arg: any) => Promise<unknown>>;

/** CPU time this process has used so far (all threads), in microseconds. */
async function cpu(): Promise<number> {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** A V8 CPU profile of just the calls between "profileStart" and "profileStop" (bench/profile.ts). */
let profiler: Session | null = null;
async function profileStart(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}
async function profileStop(file: string): Promise<void> {
  if (!profiler) throw new Error("no profile started");
  const { profile } = await profiler.post("Profiler.stop");
  profiler.disconnect();
  profiler = null;
  fs.writeFileSync(file, JSON.stringify(profile));
}

/**
 * Child side: answers calls with `handlers`; "cpu" reports the process's CPU time; "profileStart"
 * and "profileStop" (with a file name) take a CPU profile of the main thread; "exit" runs
 * the "close" handler if there is one, then ends the process (CPU profiles are written then).
 */
export function serveCalls(own: Handlers): void {
  const handlers: Handlers = { cpu, profileStart, profileStop, ...own };
  process.on("message", (msg: Call) => {
    const answer = (a: Answer) => process.send!(a);
    if (msg.cmd === "exit") {
      const close = handlers.close ?? (async () => undefined);
      close(undefined)
        .catch((err: Error) => process.stderr.write(`${err.stack ?? err}\n`))
        .finally(() => {
          answer({ id: msg.id, ok: true, result: null });
          setImmediate(() => process.exit(0));
        });
      return;
    }
    const handler = handlers[msg.cmd];
    if (!handler) return answer({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
    handler(msg.arg).then(
      (result) => answer({ id: msg.id, ok: true, result }),
      (err: Error) => answer({ id: msg.id, ok: false, error: err.stack ?? String(err) }),
    );
  });
}

export class ServerProcess {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(private readonly child: ChildProcess, readonly name: string) {
    child.on("message", (a: Answer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if (a.ok) p.resolve(a.result);
      else p.reject(new Error(`${name}: ${a.error}`));
    });
    child.on("exit", (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited with code ${code}`));
      this.pending.clear();
    });
  }

  /**
   * Forks `script` under tsx; stdout goes nowhere (request logs), stderr is shown. With `callgrind`
   * (a file name) the process runs under valgrind's callgrind with instrumentation off until
   * `callgrind_control -i on` (bench/instructions.ts).
   */
  static start(name: string, script: string, cpuProfDir: string | null, opts: { callgrind?: string } = {}): ServerProcess {
    const execArgv = ["--import", "tsx"];
    // Node names each thread's profile CPU.<date>.<pid>.<thread>…; the run prints which pid is which server.
    if (cpuProfDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`);
    const valgrind = ["--tool=callgrind", "--instr-atstart=no", "--smc-check=all-non-file", `--callgrind-out-file=${opts.callgrind}`, "-q", process.execPath];
    const child = opts.callgrind
      ? fork(script, [], { execPath: "valgrind", execArgv: [...valgrind, ...execArgv], stdio: ["ignore", "ignore", "inherit", "ipc"] })
      : fork(script, [], { execArgv, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    return new ServerProcess(child, name);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(cmd: string, arg?: unknown): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, arg } satisfies Call);
    });
  }

  /** Asks the process to exit and waits; kills it (by its own pid) if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.call("exit").catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }
}
