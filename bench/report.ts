// Prints the results as a plain-text table with the ratio ours/bare per endpoint.
export interface Side {
  rate: number;
  p99: number;
  failed: number;
  /** Server CPU time per request (or per flow), µs. */
  cpu: number;
  /** The database server's CPU time per request while this server was measured, µs (PostgreSQL on this machine), or null. */
  dbCpu?: number | null;
}

export interface Row {
  name: string;
  /** Least ratio ours/bare to reach, or null. */
  goal: number | null;
  unit: "req" | "flows";
  ours: Side;
  bare: Side;
  /** Lowest and highest ours/bare ratio among the rounds. */
  spread: [number, number];
}

/** The goal column: "≥0.8 met", "≥0.95 MISSED" or "-". */
export function goalText(r: Row): string {
  if (r.goal === null) return "-";
  return `≥${r.goal} ${r.ours.rate / r.bare.rate >= r.goal ? "met" : "MISSED"}`;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(rows: Row[]): string {
  // PostgreSQL on this machine: the database's CPU per request of ours, and the CPU ratio with it
  // counted (bare / (ours + database)), since both share the machine's cores.
  const withDb = rows.some((r) => typeof r.ours.dbCpu === "number");
  const dbHead = withDb ? ["ours DB CPU µs", "CPU ratio with DB"] : [];
  const head = ["endpoint", "ours/s", "bare/s", "ratio", "rounds", "ours p99 ms", "bare p99 ms", "ours CPU µs", "bare CPU µs", "CPU ratio", ...dbHead, "goal", "notes"];
  const dbCells = (r: Row) => {
    if (!withDb) return [];
    const db = r.ours.dbCpu;
    return typeof db === "number" ? [fmt(db), fmt(r.bare.cpu / (r.ours.cpu + db), 2)] : ["-", "-"];
  };
  const body = rows.map((r) => {
    const ratio = r.ours.rate / r.bare.rate;
    const notes = [r.unit === "flows" ? "per flow; rates in flows/s" : "", r.ours.failed ? `ours ${r.ours.failed} failed` : "", r.bare.failed ? `bare ${r.bare.failed} failed` : ""];
    return [
      r.name,
      fmt(r.ours.rate, r.ours.rate < 100 ? 1 : 0),
      fmt(r.bare.rate, r.bare.rate < 100 ? 1 : 0),
      fmt(ratio, 2),
      `${fmt(r.spread[0], 2)}–${fmt(r.spread[1], 2)}`,
      fmt(r.ours.p99, 1),
      fmt(r.bare.p99, 1),
      fmt(r.ours.cpu),
      fmt(r.bare.cpu),
      fmt(r.bare.cpu / r.ours.cpu, 2),
      ...dbCells(r),
      goalText(r),
      notes.filter(Boolean).join("; "),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = new Set([0, head.length - 2, head.length - 1]);
  const line = (cells: string[]) => `| ${cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}
