// The Passport process of the benchmark: createApp on SQLite in a temporary DATA_DIR, default
// argon2id cost, listening on 127.0.0.1 with an ephemeral port. Registers the benchmark clients
// and account, then mints tokens on request.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { loadConfig } from "../../src/config.js";
import { createApp, type PassportApp } from "../../src/app.js";
import { createAccountMaterial, deriveRecoveryKeys } from "../../src/crypto/index.js";
import { serveCalls } from "../ipc.js";
import type { BenchSettings } from "../settings.js";
import { clientInputs, type MintRequest, type OursReady } from "../fixtures.js";
import { mintTokens } from "./mint.js";
import { argon2Loop } from "./argon2-loop.js";
import { installStatementCounter, startCounting, stopCounting } from "./statement-count.js";

let app: PassportApp | undefined;
/** PostgreSQL: the run's own schema, dropped when the process is told to exit. */
let schema: string | undefined;

async function start(arg: { kdfIterations: number; logLevel: string; jwePublicJwk: JWK; db: BenchSettings["db"] }): Promise<OursReady> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-bench-"));
  // The key file is made beside the data folder ("<DATA_DIR>.key"); both go at exit.
  process.on("exit", () => [dataDir, `${dataDir}.key`].forEach((p) => fs.rmSync(p, { recursive: true, force: true })));
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // Only what a benchmark must set; argon2 and everything else keep their defaults.
  const cfg = loadConfig({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    ISSUER: url,
    KDF_ITERATIONS: String(arg.kdfIterations),
    LOG_LEVEL: arg.logLevel,
    KEY_REFRESH_SECONDS: "0",
    PURGE_INTERVAL_SECONDS: "0",
    ...(arg.db.type === "postgres" ? { DATABASE_URL: arg.db.url, DATABASE_SCHEMA: (schema = `bench_${crypto.randomBytes(6).toString("hex")}`) } : {}),
  });
  app = await createApp(cfg);
  server.on("request", app.handler);

  const { container } = app;
  const password = "correct horse battery staple";
  const email = "bench@example.test";
  const { body, recoveryKey } = await createAccountMaterial(password, cfg.kdfIterations);
  const account = await container.accounts.signUp({ email, ...body });
  // As the sign-up page does once the holder typed the key back: until then no app sign-in.
  await container.accounts.confirmRecoveryKey(account.id, (await deriveRecoveryKeys(recoveryKey)).authKey);
  const clients = [];
  for (const { clientId, input } of clientInputs(arg.jwePublicJwk)) {
    const { client, secret } = await container.clients.create(input, { clientId });
    clients.push({ clientId, input: client.input, secret: secret! });
  }
  return {
    url,
    signingKeys: (await container.keys.signingKeys()).jwks,
    clients,
    account: { id: account.id, email, password },
    argon2: cfg.argon2,
  };
}

serveCalls({
  start,
  mint: (r: MintRequest) => mintTokens(app!.host.current, r),
  argon2: (r: { count: number; concurrency: number }) => argon2Loop(app!.container.cfg.argon2, r.count, r.concurrency),
  // bench/statements.ts: the drivers are wrapped only when asked, so the timed runs never pay for it.
  countStart: async () => {
    installStatementCounter();
    startCounting();
  },
  countStop: async () => stopCounting(),
  close: async () => {
    if (schema) await app?.container.ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await app?.close();
  },
});
