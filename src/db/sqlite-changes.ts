// What changed in a SQLite database, learnt without a statement. On SQLite every statement pays
// for its read transaction (locks on the -shm file), so a cache that asked the database whether
// it may answer would save nothing; instead the serving process is told.
//
// Every Passport connection (the server, the CLI, backup, the verifier agent) gets temporary
// triggers on the cached tables that call back into this process on each row written, so no code
// path can forget to report a change:
// - the serving connection ("local") hands each change to its caches at once, in the writer's
//   own statement, before the commit;
// - every other connection ("announcing") announces its changes once its transaction has ended,
//   through `<database>.changes`, and waits until the serving process has seen them
//   (change-announcements.ts).
// Writes made outside Passport (SQL by hand while the server runs) announce nothing; caches keep
// entries for a bounded time for that reason (docs/decisions.md, Performance).
import type { Database } from "better-sqlite3";
import type { DataSource } from "typeorm";
import { announce, AnnouncementReader } from "./change-announcements.js";
import { sqliteConnection } from "./driver-handles.js";

/** The tables whose rows the serving process caches: tokens and grants, and the clients they belong to. */
export const WATCHED_TABLES = ["oidc_payloads", "clients"] as const;
export type WatchedTable = (typeof WATCHED_TABLES)[number];

/** One written row: its table, and for oidc_payloads its kind and stored id. */
export interface RowChange {
  table: WatchedTable;
  kind: string | null;
  id: string | null;
}

/** Where the serving process stands: compare two to learn whether anything changed in between. */
export interface ChangeStamp {
  /** Announcements seen from other processes (change-announcements.ts). */
  announced: number;
  /** Changes this process's own connection made. */
  local: number;
}

const FUNCTION = "passport_row_changed";

export class SqliteChanges {
  private mode: "announcing" | "local" = "announcing";
  /** Rows this process's own connection wrote, in all and per table. */
  private localCount = 0;
  private readonly perTable = new Map<WatchedTable, number>();
  private readonly listeners = new Set<(change: RowChange) => void>();
  private pendingAnnouncement = false;
  /** The request being served, if known (see perRequest). */
  private requestOf?: () => object | undefined;
  private readonly seenByRequest = new WeakMap<object, number>();

  constructor(
    private readonly db: Database,
    readonly announcementsFile: string,
  ) {
    db.function(FUNCTION, { deterministic: false, directOnly: false }, (table, kind, id) => {
      this.changed({ table: table as WatchedTable, kind: kind as string | null, id: id as string | null });
      return null;
    });
    for (const table of WATCHED_TABLES) {
      const row = (r: "NEW" | "OLD") => (table === "oidc_payloads" ? `${r}."kind", ${r}."id"` : "NULL, NULL");
      for (const [event, r] of [["INSERT", "NEW"], ["UPDATE", "OLD"], ["DELETE", "OLD"]] as const) {
        db.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS "passport_${table}_${event.toLowerCase()}" AFTER ${event} ON main."${table}" ` +
            `BEGIN SELECT ${FUNCTION}('${table}', ${row(r)}); END`,
        );
      }
    }
    feeds.add(this);
  }

  /**
   * Makes this connection the serving one (createApp): its changes are counted here and handed to
   * the listeners at once, in the writing statement, instead of announced through the file.
   */
  serve(): void {
    if (this.mode === "local") return;
    this.mode = "local";
    this.reader = new AnnouncementReader(this.announcementsFile);
  }

  private reader?: AnnouncementReader;

  /** Is the serving process watching the announcements file (else it reads it on each request)? */
  get watchingAnnouncements(): boolean {
    return this.reader?.watching ?? false;
  }

  /**
   * Where the announcements file cannot be watched, lets a request look at it once and keep what
   * it saw (a system call each time costs as much as a small statement here). That is as fresh as
   * the request needs: it began before that look, so a change announced later is concurrent with it.
   */
  perRequest(requestOf: () => object | undefined): void {
    this.requestOf = requestOf;
  }

  get serving(): boolean {
    return this.mode === "local";
  }

  /** Calls `listener` with every row the serving connection writes. */
  listen(listener: (change: RowChange) => void): void {
    this.listeners.add(listener);
  }

  /** Where things stand now; for a cache to keep with what it reads, and compare later. */
  stamp(): ChangeStamp {
    return { announced: this.announcements(), local: this.localCount };
  }

  /** Has anything changed since `then`? Also true while the connection is inside a transaction: what it reads there may not stay. */
  changedSince(then: ChangeStamp): boolean {
    return this.db.inTransaction || this.localCount !== then.local || this.announcements() !== then.announced;
  }

  /** Has another process announced a change since `then`? */
  announcedSince(then: ChangeStamp): boolean {
    return this.announcements() !== then.announced;
  }

  /** A token that changes whenever `table` changes, through this connection or an announcing one. */
  version(table: WatchedTable): string {
    return `${this.announcements()}.${this.perTable.get(table) ?? 0}`;
  }

  close(): void {
    this.announceNow();
    this.reader?.close();
    feeds.delete(this);
    this.listeners.clear();
  }

  private announcements(): number {
    if (!this.reader || this.reader.watching) return this.reader?.version() ?? 0;
    const request = this.requestOf?.();
    const seen = request && this.seenByRequest.get(request);
    if (seen !== undefined) return seen;
    const version = this.reader.version();
    if (request) this.seenByRequest.set(request, version);
    return version;
  }

  private changed(change: RowChange): void {
    if (this.mode === "local") {
      this.localCount++;
      this.perTable.set(change.table, (this.perTable.get(change.table) ?? 0) + 1);
      for (const listener of this.listeners) listener(change);
      return;
    }
    if (this.pendingAnnouncement) return;
    this.pendingAnnouncement = true;
    setImmediate(() => this.announceWhenCommitted());
  }

  /**
   * Announces only once the writing transaction has ended: announced earlier, the server could
   * read the old row again and keep it. A rolled-back change is announced too, which costs the
   * server one refill.
   */
  private announceWhenCommitted(): void {
    if (this.db.open && this.db.inTransaction) {
      setTimeout(() => this.announceWhenCommitted(), 1);
      return;
    }
    this.announceNow();
  }

  /** Writes a pending announcement now (also at process exit: a CLI command may end with process.exit). */
  announceNow(): void {
    if (!this.pendingAnnouncement) return;
    this.pendingAnnouncement = false;
    try {
      announce(this.announcementsFile);
    } catch (e) {
      // The database's folder is gone (removed after its last use): there is no server to tell.
      if ((e as { code?: string }).code === "ENOENT") return;
      process.emitWarning(`could not announce a change to ${this.announcementsFile} (${(e as Error).message}): a running server may answer from its cache for up to TOKEN_CACHE_SECONDS`);
    }
  }
}

const byConnection = new WeakMap<Database, SqliteChanges>();
const feeds = new Set<SqliteChanges>();
process.on("exit", () => {
  for (const changes of feeds) changes.announceNow();
});

/**
 * The change feed of a SQLite DataSource's connection, installed on first use (after migrations:
 * the triggers need the tables). Undefined on PostgreSQL.
 */
export function sqliteChanges(ds: DataSource): SqliteChanges | undefined {
  const db = sqliteConnection(ds);
  if (!db) return undefined;
  let changes = byConnection.get(db);
  if (!changes) byConnection.set(db, (changes = new SqliteChanges(db, `${String(ds.options.database)}.changes`)));
  return changes;
}
