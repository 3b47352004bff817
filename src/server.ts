// One server process: the app, its HTTP listener and its background jobs (purge, key refresh).
// Run alone by `npm start`, or as one of the workers of src/cluster.ts.
import cluster from "node:cluster";
import http from "node:http";
import type { Config } from "./config.js";
import { createApp } from "./app.js";
import { purgeExpired } from "./container.js";
import { createLogger } from "./logger.js";
import { claimSqliteDatabase } from "./db/sqlite-owner.js";

/** `envFile`: the .env file the configuration came from (logged at start), or null. */
export async function runServer(cfg: Config, envFile: string | null = null): Promise<void> {
  // A worker names itself in every log line, so a request's line tells which process served it.
  const log = createLogger(cfg.logLevel, undefined, cluster.isWorker ? { worker: cluster.worker!.id, pid: process.pid } : {});
  if (cfg.database.type === "sqlite") claimSqliteDatabase(cfg.database.file);
  const app = await createApp(cfg, { log });
  const server = http.createServer(app.handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  // In a cluster worker, listen() hands the socket to the primary, which shares one port among workers.
  await new Promise<void>((resolve) => server.listen(cfg.port, cfg.host, resolve));
  app.log.info("passport listening", { issuer: cfg.issuer, port: cfg.port, database: cfg.database.type, envFile });

  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, job: () => Promise<unknown>, name: string) => {
    if (seconds <= 0) return;
    const t = setInterval(() => job().catch((e: Error) => app.log.warn(`${name} failed`, { error: e.message })), seconds * 1000);
    t.unref();
    timers.push(t);
  };
  every(cfg.purgeIntervalSeconds, async () => app.log.debug("purged", await purgeExpired(app.container)), "purge");
  every(cfg.keyRefreshSeconds, async () => (await app.host.refresh()) && app.log.info("signing keys reloaded"), "key refresh");

  const stop = () => {
    timers.forEach(clearInterval);
    server.close(() => void app.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
