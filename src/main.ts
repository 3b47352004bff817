// Starts Passport: configuration, database and migrations, keys, HTTP server, background jobs.
import http from "node:http";
import { loadConfig, loadEnvFile, ConfigError } from "./config.js";
import { createApp } from "./app.js";
import { purgeExpired } from "./container.js";

async function main(): Promise<void> {
  // Whatever the server writes (database, key file, blobs, outbox) is for its own user only; the
  // modules that create files also set their modes, this catches anything else.
  process.umask(0o077);
  const envFile = loadEnvFile();
  const cfg = loadConfig();
  const app = await createApp(cfg);
  const server = http.createServer(app.koa.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
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

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `passport failed to start: ${(err as Error).message}`}\n`);
  process.exit(1);
});
