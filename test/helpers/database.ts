// Opens a fresh database (temp SQLite file or a new PostgreSQL schema) for storage-level tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { Config } from "../../src/config.js";
import { openDatabase } from "../../src/db/data-source.js";
import type { DbKind } from "./server.js";

export interface TestDb {
  ds: DataSource;
  config: Config["database"];
  /** Closes and removes the database. */
  drop(): Promise<void>;
}

export function testDbConfig(kind: DbKind): Config["database"] {
  if (kind === "postgres") {
    return { type: "postgres", url: process.env.TEST_DATABASE_URL!, schema: `t_${crypto.randomBytes(6).toString("hex")}` };
  }
  return { type: "sqlite", file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passport-db-")), "test.sqlite") };
}

export async function openTestDb(kind: DbKind): Promise<TestDb> {
  const config = testDbConfig(kind);
  const ds = await openDatabase(config);
  return {
    ds,
    config,
    drop: async () => {
      if (config.type === "postgres") await ds.query(`DROP SCHEMA IF EXISTS "${config.schema}" CASCADE`);
      await ds.destroy();
      if (config.type === "sqlite") fs.rmSync(path.dirname(config.file), { recursive: true, force: true });
    },
  };
}
