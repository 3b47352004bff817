// What the CLI prints: JSON for scripts (--json), short aligned lines for people. Answers go to
// stdout; problems go to stderr as one line, without stack traces.
export interface Output {
  json: boolean;
  /** Prints `value` as JSON, or `text()` for people. */
  result(value: unknown, text: () => string): void;
}

export function createOutput(json: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): Output {
  return {
    json,
    result(value, text) {
      write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
    },
  };
}

/** `key: value` lines with the values aligned. */
export function fields(rows: [string, unknown][]): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v === undefined || v === null || v === "" ? "-" : String(v)}`).join("\n");
}

/** A plain table with a header row; "(none)" when empty. */
export function table(header: string[], rows: string[][]): string {
  if (!rows.length) return "(none)";
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

/** One line for stderr: the message of a known error, never a stack. */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/:\s*\n\s*/g, ": ").replace(/\s*\n\s*/g, "; ").trim() || "failed";
}
