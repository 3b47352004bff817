// Queries on a client's change log (client_changes) and its daily activity counters
// (client_daily_stats). Counting is one upsert that adds to the row in the database, so parallel
// sign-ins on any number of processes are all counted (a read-then-write would lose some).
import crypto from "node:crypto";
import { type DataSource, In, LessThan, MoreThanOrEqual, type Repository } from "typeorm";
import { ClientChangeEntity, type ClientChangeRow, ClientDailyStatEntity, type ClientDailyStatRow, ClientEventEntity, type ClientEventRow } from "./entities.js";

export class ClientActivityStore {
  private readonly changes: Repository<ClientChangeRow>;
  private readonly stats: Repository<ClientDailyStatRow>;
  private readonly events: Repository<ClientEventRow>;
  private readonly incrementSql: string;

  constructor(private readonly ds: DataSource) {
    this.changes = ds.getRepository(ClientChangeEntity);
    this.stats = ds.getRepository(ClientDailyStatEntity);
    this.events = ds.getRepository(ClientEventEntity);
    const q = (n: string) => ds.driver.escape(n);
    const table = ds.getMetadata(ClientDailyStatEntity).tablePath.split(".").map(q).join(".");
    const [a, b, c, d] = ds.options.type === "postgres" ? ["$1", "$2", "$3", "$4"] : ["?", "?", "?", "?"];
    this.incrementSql =
      `INSERT INTO ${table} AS s (${q("client_id")}, ${q("day")}, ${q("kind")}, ${q("count")}) VALUES (${a}, ${b}, ${c}, CAST(${d} AS INTEGER)) ` +
      `ON CONFLICT (${q("client_id")}, ${q("day")}, ${q("kind")}) DO UPDATE SET ${q("count")} = s.${q("count")} + excluded.${q("count")}`;
  }

  async addChange(row: Omit<ClientChangeRow, "id">): Promise<void> {
    await this.changes.insert({ id: crypto.randomUUID(), ...row });
  }

  /** Newest first. */
  listChanges(clientId: string, limit: number): Promise<ClientChangeRow[]> {
    return this.changes.find({ where: { clientId }, order: { at: "DESC" }, take: limit });
  }

  async increment(clientId: string, day: string, kinds: string[], by = 1): Promise<void> {
    for (const kind of kinds) await this.ds.query(this.incrementSql, [clientId, day, kind, by]);
  }

  statsSince(clientId: string, firstDay: string): Promise<ClientDailyStatRow[]> {
    return this.stats.find({ where: { clientId, day: MoreThanOrEqual(firstDay) } });
  }

  async addEvent(row: Omit<ClientEventRow, "id">): Promise<void> {
    await this.events.insert({ id: crypto.randomUUID(), ...row });
  }

  /** Newest first. */
  recentEvents(clientId: string, limit: number): Promise<ClientEventRow[]> {
    return this.events.find({ where: { clientId }, order: { at: "DESC" }, take: limit });
  }

  async purgeEvents(before: number): Promise<number> {
    return (await this.events.delete({ at: LessThan(before) })).affected ?? 0;
  }

  async deleteStats(clientIds: string[]): Promise<void> {
    if (!clientIds.length) return;
    await this.stats.delete({ clientId: In(clientIds) });
    await this.events.delete({ clientId: In(clientIds) });
  }
}
