// The database server's CPU time, read from /proc, so that a PostgreSQL run shows what the machine
// spends per request on the database: the bare provider keeps everything in its own memory, while
// Passport's database runs beside it on the same cores (on SQLite that work is inside Passport's
// own process and already in its CPU column). Only a PostgreSQL on this machine can be read.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { BenchSettings } from "./settings.js";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1", ""]);

let ticks: number | undefined;

/** Clock ticks per second of /proc's CPU times (almost always 100), asked of `getconf` once. */
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
      ticks = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** A process's fields from field 3 (state) on, or null if it is gone or not a `postgres` process. */
function postgresStat(pid: string): string[] | null {
  try {
    if (fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") return null;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null; // ended between listing and reading
  }
}

/**
 * CPU time of the PostgreSQL server, in µs: every live `postgres` process's own user and system
 * time (proc(5) fields 14 and 15), plus what the server's main process has collected from the
 * ones that ended (fields 16 and 17), so that a backend closing between two readings (an idle
 * pooled connection) does not take its time out of the sum.
 */
function postgresCpu(tick: number): number {
  const stats = new Map<string, string[]>();
  for (const pid of fs.readdirSync("/proc")) {
    const fields = /^\d+$/.test(pid) ? postgresStat(pid) : null;
    if (fields) stats.set(pid, fields);
  }
  let ticks = 0;
  for (const fields of stats.values()) {
    // Index 0 is field 3, so field n is at n - 3.
    ticks += Number(fields[11]) + Number(fields[12]);
    if (!stats.has(fields[1]!)) ticks += Number(fields[13]) + Number(fields[14]); // the server's main process (its parent is no postgres)
  }
  return (ticks * 1_000_000) / tick;
}

/**
 * A reader of the database server's CPU time (µs, only differences mean anything), or null when
 * there is none to read: SQLite, a PostgreSQL on another host, or no /proc.
 */
export function databaseCpuReader(db: BenchSettings["db"]): (() => number) | null {
  if (db.type !== "postgres" || !fs.existsSync("/proc/self/stat")) return null;
  let host: string;
  try {
    host = new URL(db.url).hostname;
  } catch {
    return null;
  }
  if (!LOCAL_HOSTS.has(host)) return null;
  const tick = ticksPerSecond();
  return () => postgresCpu(tick);
}
