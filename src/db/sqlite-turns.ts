// SQLite's one connection, taken in turns. Passport's transactions on SQLite stay open across
// `await`s, and on the single connection every statement runs inside whatever transaction is
// open there, another request's too: a write that was no part of it would be undone by its
// rollback after its writer was told it is stored (an account's update, a revoked credential).
// So on SQLite, every statement that goes through TypeORM obeys one rule:
// - a transaction holds the connection's turn from its BEGIN to its COMMIT or ROLLBACK;
// - a write made outside any transaction takes a turn of its own, so it runs between
//   transactions, never inside another's;
// - a read does not wait: it may see an open transaction's rows before they are committed, which
//   is why a decision that must hold (a limit, a quota) reads inside its own transaction.
// The stores' prepared writes follow the same rule through betweenTransactions (transaction.ts).
// PostgreSQL needs none of this: each transaction has its own pooled connection.
import type { DataSource } from "typeorm";
import type { IsolationLevel } from "typeorm/driver/types/IsolationLevel.js";
import { BetterSqlite3QueryRunner } from "typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js";
import type { BetterSqlite3Driver } from "typeorm/driver/better-sqlite3/BetterSqlite3Driver.js";

/**
 * How long a statement or transaction waits for its turn before it fails. Turns last a few
 * milliseconds; a wait this long means a turn that never ends (a write made outside a transaction
 * from inside one, which waits for itself), and an error beats a request that hangs.
 */
export const TURN_TIMEOUT_MS = 10_000;

/** One holder at a time, first come first served. */
export class ConnectionTurns {
  private tail: Promise<void> = Promise.resolve();

  constructor(public timeoutMs = TURN_TIMEOUT_MS) {}

  /** Waits for the turn; the function it resolves to ends the turn. */
  acquire(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const ready = this.tail.then(() => end);
    this.tail = ready.then(() => ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ready.then(end); // the place in line is given up: its turn ends as soon as it comes
        reject(Object.assign(new Error(`SQLite: no turn on the connection within ${this.timeoutMs} ms`), { code: "SQLITE_BUSY" }));
      }, this.timeoutMs);
      void ready.then((turnEnd) => {
        clearTimeout(timer);
        resolve(turnEnd);
      });
    });
  }

  async take<T>(work: () => Promise<T>): Promise<T> {
    const end = await this.acquire();
    try {
      return await work();
    } finally {
      end();
    }
  }
}

// What TypeORM sends outside a transaction that writes nothing: its SELECTs, and the PRAGMAs it
// reads the schema with. Anything else (INSERT, UPDATE, DELETE, DDL) is treated as a write.
const READ = /^\s*(SELECT|PRAGMA)\b/i;

/** TypeORM's runner for better-sqlite3, taking turns as the header says. */
class TurnTakingQueryRunner extends BetterSqlite3QueryRunner {
  private endTurn?: () => void;

  constructor(
    driver: BetterSqlite3Driver,
    private readonly turns: ConnectionTurns,
    statements: Map<string, unknown>,
  ) {
    super(driver);
    // TypeORM keeps prepared statements per runner (a private field); all runners share one set.
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache = statements;
  }

  override async query(sql: string, parameters?: unknown[], structured?: boolean): Promise<any> {
    if (this.isTransactionActive || READ.test(sql)) return super.query(sql, parameters, structured);
    return this.turns.take(() => super.query(sql, parameters, structured));
  }

  override async startTransaction(isolation?: IsolationLevel): Promise<void> {
    if (this.isTransactionActive) return super.startTransaction(isolation); // a savepoint in its own
    this.endTurn = await this.turns.acquire();
    try {
      await super.startTransaction(isolation);
    } catch (e) {
      this.finishTurn();
      throw e;
    }
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } finally {
      // A failed COMMIT leaves the transaction open: the turn ends with the rollback that follows.
      if (!this.isTransactionActive) this.finishTurn();
    }
  }

  override async rollbackTransaction(): Promise<void> {
    const outermost = this.transactionDepth <= 1;
    try {
      await super.rollbackTransaction();
    } finally {
      // Even a failed ROLLBACK ends the turn: a stuck turn would stop every later write, while the
      // next BEGIN on a transaction left open fails loudly.
      if (outermost) this.finishTurn();
    }
  }

  private finishTurn(): void {
    this.endTurn?.();
    this.endTurn = undefined;
  }
}

const turnsOf = new WeakMap<DataSource, ConnectionTurns>();

/**
 * Makes a SQLite DataSource's statements take turns (data-source.ts, before it is initialized).
 * TypeORM hands out one runner for the whole connection; here every caller gets a runner of its
 * own, so one caller's transaction (a `save` wraps itself in one) is not taken by another for its
 * own, which would let that other's writes skip the wait. They share the prepared statements.
 */
export function takeTurns(ds: DataSource): void {
  const driver = ds.driver as BetterSqlite3Driver;
  const turns = new ConnectionTurns();
  // Prepared statements belong to one connection: a DataSource opened again gets a fresh set.
  const statements = new WeakMap<object, Map<string, unknown>>();
  const statementsOf = (connection: object) => statements.get(connection) ?? statements.set(connection, new Map()).get(connection)!;
  driver.createQueryRunner = () => new TurnTakingQueryRunner(driver, turns, statementsOf(driver.databaseConnection));
  turnsOf.set(ds, turns);
}

/** The turns of a SQLite DataSource, or undefined on PostgreSQL. */
export function connectionTurns(ds: DataSource): ConnectionTurns | undefined {
  return turnsOf.get(ds);
}
