// PostgreSQL plans a named (prepared) statement from the table's statistics and, after five runs
// on a connection, may keep one generic plan for that connection's life; it plans again only when
// the table's statistics change. oidc_payloads starts empty and then grows by thousands of rows a
// minute, so the plan of a token read made while it held a few rows (measured: the grant found by
// reading every grant, the token by reading every token) stayed while the table grew, and each
// read got slower with every token issued. Autovacuum's ANALYZE would have the statements planned
// again, but only at its next visit (up to a minute later, `autovacuum_naptime`) and never where
// autovacuum is off. So the store has the table analysed itself, by autovacuum's own default rule
// (50 rows plus a tenth of the table changed since the last analysis), counted from this process's
// writes, in the background, off every request's path.

/** Rows changed, beyond a tenth of the table, before another analysis (autovacuum_analyze_threshold). */
const BASE_THRESHOLD = 50;
const SCALE_FACTOR = 0.1;

export interface Analyser {
  /** Runs ANALYZE on the table and resolves to its row estimate afterwards. */
  analyse(): Promise<number>;
}

export class PlannerStatistics {
  private changed = 0;
  /** The table's rows at the last analysis (PostgreSQL's estimate). */
  private rows = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly analyser: Analyser,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Counts rows this process wrote, changed or removed; starts an analysis once enough have. */
  wrote(count: number): void {
    this.changed += count;
    if (this.running || this.changed < BASE_THRESHOLD + SCALE_FACTOR * this.rows) return;
    this.changed = 0;
    this.running = this.analyser
      .analyse()
      .then((rows) => void (this.rows = Math.max(0, rows)), this.onError)
      .finally(() => (this.running = null));
  }

  /** Resolves once no analysis runs (closing the database, tests). */
  async settled(): Promise<void> {
    await this.running;
  }
}
