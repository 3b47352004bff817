// PostgreSQL plans a named (prepared) statement from the table's statistics and, after five runs
// on a connection, may keep one generic plan for that connection's life; it plans again only when
// the table's statistics change. oidc_payloads starts empty and then grows by thousands of rows a
// minute, so the plan of a token read made while it held a few rows (measured: the grant found by
// reading every grant, the token by reading every token) stayed while the table grew, and each
// read got slower with every token issued. Autovacuum's ANALYZE would have the statements planned
// again, but only at its next visit (up to a minute later, `autovacuum_naptime`) and never where
// autovacuum is off. So the store has the table analysed itself once as many rows as the table
// held at the last analysis (plus 50) have changed since, counted from this process's writes, in
// the background, off every request's path. That is autovacuum's rule with a scale factor of 1
// instead of 0.1: the plans of the store's statements depend on the table's order of magnitude
// (a few rows or thousands), not on its last tenth, and an analysis samples up to 30,000 rows, so
// at a tenth a growing table was analysed every few seconds (48 times in one benchmark run of
// refresh, 1.1 s of the database's time) for plans that no longer changed. Keeping the statistics
// fresh for other queries stays autovacuum's job.

/** Rows changed, beyond the table's size at the last analysis, before another. */
const BASE_THRESHOLD = 50;
const SCALE_FACTOR = 1;

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
