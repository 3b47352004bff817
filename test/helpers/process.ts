// Runs Passport as a real child process (`node --import tsx src/main.ts`, what `npm start` runs
// after its build step), for restart and crash tests.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/data-source.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface ServerProcess {
  url: string;
  pid: number;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the server and waits (at most 60 s) until discovery answers. `issuer` defaults to the
 * process's own address; processes behind one balancer share the balancer's. `command` runs the
 * CLI instead of src/main.ts (e.g. ["start", "--workers", "2", "--no-build"]).
 */
export async function startProcess(env: Record<string, string>, port: number, opts: { issuer?: string; command?: string[] } = {}): Promise<ServerProcess> {
  const args = opts.command ? [path.join(ROOT, "bin", "passport.js"), ...opts.command] : ["--import", "tsx", "src/main.ts"];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", ISSUER: opts.issuer ?? `http://localhost:${port}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      const res = await fetch(`${url}/.well-known/openid-configuration`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 599) {
      child.kill("SIGKILL");
      throw new Error(`server did not start within 60 s:\n${out}`);
    }
  }
  return {
    url,
    pid: child.pid!,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Removes what a process test leaves: its PostgreSQL schema (if any) and its data folder. */
export async function dropProcessData(env: Record<string, string>): Promise<void> {
  const cfg = loadConfig(env);
  if (cfg.database.type === "postgres") {
    const ds = await openDatabase(cfg.database);
    await ds.query(`DROP SCHEMA IF EXISTS "${cfg.database.schema}" CASCADE`);
    await ds.destroy();
  }
  fs.rmSync(cfg.dataDir, { recursive: true, force: true });
  fs.rmSync(cfg.keyFile, { force: true });
}
