// Tells a cache whether its table changed since it last looked, whoever changed it: this process,
// another server process or the CLI. The counters are kept by database triggers
// (migrations/1764630000000-change-versions.ts), so no writer can forget to bump them.
//
// SQLite: the serving process is told of every change without a statement (sqlite-changes.ts);
// any other process reads the counter on each question, a prepared one-row read. PostgreSQL: a round trip
// per question would cost what the cache saves, so each process LISTENs on the channel the trigger
// NOTIFYs at commit, and counts notifications locally; while it is not listening (starting, or the
// connection dropped) it answers null and the cache must not be used.
import pg from "pg";
import type { DataSource } from "typeorm";
import { CHANGE_CHANNEL } from "../../migrations/1764630000000-change-versions.js";
import { preparedSql } from "./prepared.js";
import { sqliteChanges, type WatchedTable } from "./sqlite-changes.js";

export interface ChangeVersions {
  /** An opaque token that changes whenever `table` changes; null when that cannot be known now. */
  current(table: string): Promise<string | null>;
  close(): Promise<void>;
}

function sqliteVersions(ds: DataSource): ChangeVersions {
  const db = preparedSql(ds);
  const sql = `SELECT "version" FROM "change_versions" WHERE "name" = ?`;
  return {
    current: async (table) => {
      const changes = sqliteChanges(ds);
      if (changes?.serving) return changes.version(table as WatchedTable);
      const [row] = await db.rows<{ version: number }>(sql, [table]);
      return row ? String(row.version) : null;
    },
    close: async () => undefined,
  };
}

/** Seconds between attempts to listen again after the listening connection failed. */
const RELISTEN_MS = 1000;

class PostgresVersions implements ChangeVersions {
  /** Notifications seen per table since listening began; the generation changes at each (re)connection. */
  private readonly counts = new Map<string, number>();
  private generation = 0;
  private listening = false;
  private client: pg.Client | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly schema: string,
  ) {}

  async current(table: string): Promise<string | null> {
    if (!this.client && !this.closed) this.listen();
    return this.listening ? `${this.generation}.${this.counts.get(table) ?? 0}` : null;
  }

  private listen(): void {
    // Named, so an operator (or a test) can tell this connection from the pool's.
    const client = new pg.Client({ ...this.connection, application_name: `passport changes ${this.schema}` });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = null;
      client.end().catch(() => undefined);
      if (!this.closed) (this.timer = setTimeout(() => this.listen(), RELISTEN_MS)).unref();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (n) => {
      const [schema, table] = (n.payload ?? "").split(".");
      if (schema === this.schema && table) this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANGE_CHANNEL}`))
      .then(() => {
        if (this.client !== client) return;
        // Anything cached before is from an unknown past: a new generation drops it.
        this.generation++;
        this.listening = true;
      }, lost);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }
}

export function changeVersions(ds: DataSource): ChangeVersions {
  if (ds.options.type !== "postgres") return sqliteVersions(ds);
  const pool = (ds.driver as unknown as { master: { options: pg.ClientConfig } }).master;
  return new PostgresVersions(pool.options, (ds.options as { schema?: string }).schema ?? "public");
}
