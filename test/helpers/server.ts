// Starts a real Passport server for a test: its own data folder (SQLite) or its own PostgreSQL
// schema, an ephemeral port on loopback, cheap KDF and argon2 costs so tests stay fast.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { loadConfig, type Config } from "../../src/config.js";
import { createApp, type PassportApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";

export type DbKind = "sqlite" | "postgres";

export const TEST_KDF_ITERATIONS = 1000;

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function databases(): DbKind[] {
  return process.env.TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

export function pgNotice(): void {
  if (!process.env.TEST_DATABASE_URL) console.log("# PostgreSQL tests skipped: set TEST_DATABASE_URL to run them");
}

export interface TestServer {
  url: string;
  app: PassportApp;
  cfg: Config;
  dataDir: string;
  logLines: string[];
  close(): Promise<void>;
}

// The default key file sits beside the data folder ("<DATA_DIR>.key"): tests that remove a data
// folder (made here or their own, under the temp dir) leave it behind, so it goes at exit once its
// folder is gone.
const madeDirs = new Set<string>();
process.on("exit", () => madeDirs.forEach((d) => !fs.existsSync(d) && fs.rmSync(`${d}.key`, { force: true })));

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
  madeDirs.add(dir);
  return dir;
}

/** Environment for a test server; `env` overrides. A fresh data dir / schema unless given. */
export function testEnv(db: DbKind, env: Record<string, string> = {}): Record<string, string> {
  if (env.DATA_DIR?.startsWith(os.tmpdir())) madeDirs.add(env.DATA_DIR);
  const base: Record<string, string> = {
    DATA_DIR: env.DATA_DIR ?? tempDataDir(),
    KDF_ITERATIONS: String(TEST_KDF_ITERATIONS),
    ARGON2_MEMORY_KIB: "1024",
    // Every test signs up from 127.0.0.1; the tests of this limit set it low again.
    SIGNUP_PER_IP_PER_HOUR: "10000",
    ARGON2_TIME_COST: "1",
    LOG_LEVEL: "info",
    KEY_REFRESH_SECONDS: "0",
    PURGE_INTERVAL_SECONDS: "0",
  };
  if (db === "postgres") {
    base.DATABASE_URL = process.env.TEST_DATABASE_URL!;
    base.DATABASE_SCHEMA = env.DATABASE_SCHEMA ?? `t_${crypto.randomBytes(6).toString("hex")}`;
  }
  return { ...base, ...env };
}

/** Starts the app in this process on 127.0.0.1 with an ephemeral port. */
export async function startServer(db: DbKind = "sqlite", env: Record<string, string> = {}, opts: { keepData?: boolean } = {}): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const fullEnv = testEnv(db, { ISSUER: `http://localhost:${port}`, PORT: String(port), ...env });
  const cfg = loadConfig(fullEnv);
  const logLines: string[] = [];
  const app = await createApp(cfg, { log: createLogger(cfg.logLevel, (l) => logLines.push(l)) });
  server.on("request", app.handler);
  return {
    url: `http://localhost:${port}`,
    app,
    cfg,
    dataDir: fullEnv.DATA_DIR!,
    logLines,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.keepData && cfg.database.type === "postgres") {
        await app.container.ds.query(`DROP SCHEMA IF EXISTS "${cfg.database.schema}" CASCADE`);
      }
      await app.close();
      // Only folders this helper made under the temp dir are removed.
      if (!opts.keepData && !env.DATA_DIR) fs.rmSync(fullEnv.DATA_DIR!, { recursive: true, force: true });
      // The key file made beside it ("<DATA_DIR>.key").
      if (!opts.keepData && !env.DATA_DIR && !env.KEY_FILE) fs.rmSync(cfg.keyFile, { force: true });
    },
  };
}

