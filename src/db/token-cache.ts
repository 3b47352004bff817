// Token reads kept in memory by the serving process on SQLite, so that a resource server
// introspecting the same token per API call, or a client calling userinfo again, costs no
// statement. Revocation stays immediate (docs/decisions.md, Performance):
// - a row written through this process's connection drops what it touches before the write even
//   commits (sqlite-changes.ts triggers): a token row drops its entry, a grant row every token of
//   the grant, a clients row everything (entries assume their client is enabled);
// - a change announced by another Passport process (the CLI) drops everything before the next
//   answer from here;
// - an entry is only kept if nothing changed while it was read, and never from inside a
//   transaction;
// - entries live at most `ttlMs`, which bounds what a write from outside Passport could leave.
// Expiry and consumption are read from the kept rows on each use, as from fresh ones.
import type { ChangeStamp, RowChange, SqliteChanges } from "./sqlite-changes.js";

interface Entry<Row> {
  rows: Row[];
  storedId: string;
  grantIds: string[];
  until: number;
}

export class TokenCache<Row extends { grant_id: string | null }> {
  /** By presented token value: a hit needs no hashing either. */
  private readonly entries = new Map<string, Entry<Row>>();
  private readonly byStoredId = new Map<string, string>();
  private readonly byGrant = new Map<string, Set<string>>();
  private seen: ChangeStamp;

  constructor(
    private readonly changes: SqliteChanges,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {
    this.seen = changes.stamp();
    changes.listen((change) => this.forget(change));
  }

  /** The rows kept for a token value, if they may still be used. */
  get(value: string): Row[] | undefined {
    if (this.entries.size === 0) return undefined;
    if (this.changes.announcedSince(this.seen)) {
      this.clear();
      return undefined;
    }
    const entry = this.entries.get(value);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.rows;
    this.drop(value);
    return undefined;
  }

  /** Taken before a read; `put` keeps the read's rows only if nothing changed since. */
  stamp(): ChangeStamp {
    return this.changes.stamp();
  }

  put(value: string, storedId: string, rows: Row[], before: ChangeStamp): void {
    // Unknown values are not kept: guessing tokens must not fill memory.
    if (rows.length === 0 || this.changes.changedSince(before)) return;
    if (this.entries.has(value)) this.drop(value);
    if (this.entries.size >= this.maxEntries) this.drop(this.entries.keys().next().value!);
    const grantIds = [...new Set(rows.flatMap((r) => (r.grant_id === null ? [] : [r.grant_id])))];
    this.entries.set(value, { rows, storedId, grantIds, until: Date.now() + this.ttlMs });
    this.byStoredId.set(storedId, value);
    for (const g of grantIds) {
      let values = this.byGrant.get(g);
      if (!values) this.byGrant.set(g, (values = new Set()));
      values.add(value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(change: RowChange): void {
    if (this.entries.size === 0) return;
    if (change.table !== "oidc_payloads") return this.clear();
    if (change.kind === "Grant") {
      for (const value of [...(this.byGrant.get(change.id ?? "") ?? [])]) this.drop(value);
      return;
    }
    const value = this.byStoredId.get(change.id ?? "");
    if (value !== undefined) this.drop(value);
  }

  private drop(value: string): void {
    const entry = this.entries.get(value);
    if (!entry) return;
    this.entries.delete(value);
    this.byStoredId.delete(entry.storedId);
    for (const g of entry.grantIds) {
      const values = this.byGrant.get(g);
      values?.delete(value);
      if (values?.size === 0) this.byGrant.delete(g);
    }
  }

  private clear(): void {
    this.entries.clear();
    this.byStoredId.clear();
    this.byGrant.clear();
    this.seen = this.changes.stamp();
  }
}
