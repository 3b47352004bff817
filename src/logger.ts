// A tiny structured logger: one JSON line per event to stdout. Callers pass metadata, never
// request bodies, keys or document data.
import type { Config } from "./config.js";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  /** Whether lines of this level are written: callers skip work whose only use is such a line. */
  enabled(level: Exclude<Level, "silent">): boolean;
}

/** `base` goes into every line (a cluster worker names itself, so a line tells which process wrote it). */
export function createLogger(
  level: Config["logLevel"],
  write: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  base: Record<string, unknown> = {},
): Logger {
  const min = LEVELS[level];
  const at = (lvl: Exclude<Level, "silent">) => (msg: string, meta?: Record<string, unknown>) => {
    if (LEVELS[lvl] >= min) write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...base, ...meta }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), enabled: (lvl) => LEVELS[lvl] >= min };
}
