// `npm run bench:processes`: token and userinfo throughput of one Passport process against two
// (`WORKERS=2`, node:cluster) on the same PostgreSQL database, in one run and alternating rounds.
// The machine's cores are shared by the load generator (autocannon, in this process), PostgreSQL
// and the server processes, so the ratio says what a second process buys on this machine, not
// what it would on a machine of its own.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as client from "openid-client";
import { loadConfig } from "../src/config.js";
import { createContainer } from "../src/container.js";
import { Agent } from "../test/helpers/agent.js";
import { createHolder } from "../test/helpers/accounts.js";
import { authRequest, CALLBACK, redeem, rpConfig, walk } from "../test/helpers/oidc.js";
import { dropProcessData, freePort, startProcess, type ServerProcess } from "../test/helpers/process.js";
import type { TestServer } from "../test/helpers/server.js";
import { runLoad, type LoadSpec } from "./load.js";

const PG_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || "";
if (!PG_URL) {
  console.error("bench:processes needs PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/test");
  process.exit(1);
}
const SECONDS = Number(process.env.BENCH_SECONDS || 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);

interface Setup {
  env: Record<string, string>;
  clientId: string;
  secret: string;
  accessToken: string;
}

/** A schema with one confidential client and one holder, and an access token from a real sign-in. */
async function setUp(first: ServerProcess, env: Record<string, string>): Promise<Setup> {
  const c = await createContainer(loadConfig(env));
  try {
    const { client: view, secret } = await c.clients.create({
      name: "Processes bench RP",
      redirectUris: [CALLBACK],
      type: "confidential",
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: ["authorization_code", "client_credentials"],
      scopes: ["openid", "email"],
    });
    const holder = await createHolder(c);
    const config = await rpConfig({ url: first.url } as TestServer, view.clientId, { client_secret: secret! });
    const req = await authRequest(config, { scope: "openid email" });
    const w = await walk(new Agent(first.url), req.url, { holder });
    const tokens = await redeem(config, w.callback, req);
    return { env, clientId: view.clientId, secret: secret!, accessToken: tokens.access_token };
  } finally {
    await c.close();
  }
}

function specs(s: Setup): Record<string, LoadSpec> {
  const basic = `Basic ${Buffer.from(`${s.clientId}:${s.secret}`).toString("base64")}`;
  return {
    "token: client_credentials": {
      method: "POST",
      path: "/token",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    },
    "userinfo (JSON)": { method: "GET", path: "/me", headers: { authorization: `Bearer ${s.accessToken}` } },
  };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-processes-"));
  const [p1, p2] = [await freePort(), await freePort()];
  // Both deployments share one issuer (as behind one balancer), one database and one key file.
  const issuer = `http://localhost:${p1}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    DATABASE_URL: PG_URL,
    DATABASE_SCHEMA: `bench_processes_${crypto.randomBytes(3).toString("hex")}`,
    KDF_ITERATIONS: "1000",
    LOG_LEVEL: "warn",
    KEY_REFRESH_SECONDS: "0",
    PURGE_INTERVAL_SECONDS: "0",
  };
  const procs: ServerProcess[] = [];
  try {
    const one = await startProcess({ ...env, WORKERS: "1" }, p1, { issuer });
    procs.push(one);
    const two = await startProcess({ ...env, WORKERS: "2" }, p2, { issuer });
    procs.push(two);
    const setup = await setUp(one, env);
    const targets = [
      { name: "1 process", url: `http://127.0.0.1:${p1}` },
      { name: "2 processes", url: `http://127.0.0.1:${p2}` },
    ];
    console.log(`# 1 vs 2 Passport processes on PostgreSQL: ${os.cpus().length} cores shared with the load generator and PostgreSQL`);
    console.log(`# ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s per endpoint and deployment\n`);
    console.log("| endpoint | 1 process req/s | 2 processes req/s | ratio 2 ÷ 1 | rounds (ratio) |\n| --- | --- | --- | --- | --- |");
    for (const [name, spec] of Object.entries(specs(setup))) {
      for (const t of targets) await runLoad(t.url, spec, { seconds: 1 }, CONNECTIONS); // warm-up
      const totals = new Map(targets.map((t) => [t.name, { ok: 0, seconds: 0, failed: 0 }]));
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const rps: Record<string, number> = {};
        for (const t of round % 2 ? [...targets].reverse() : targets) {
          const r = await runLoad(t.url, spec, { seconds: SECONDS }, CONNECTIONS);
          const sum = totals.get(t.name)!;
          sum.ok += r.ok;
          sum.seconds += r.seconds;
          sum.failed += r.failed;
          rps[t.name] = r.rps;
        }
        ratios.push(rps["2 processes"]! / rps["1 process"]!);
      }
      const [a, b] = targets.map((t) => totals.get(t.name)!);
      if (a!.failed || b!.failed) console.log(`(failed requests: 1 process ${a!.failed}, 2 processes ${b!.failed})`);
      const r1 = a!.ok / a!.seconds;
      const r2 = b!.ok / b!.seconds;
      console.log(`| ${name} | ${Math.round(r1).toLocaleString("en")} | ${Math.round(r2).toLocaleString("en")} | ${(r2 / r1).toFixed(2)} | ${Math.min(...ratios).toFixed(2)} – ${Math.max(...ratios).toFixed(2)} |`);
    }
  } finally {
    for (const p of procs) await p.stop();
    await dropProcessData(env);
  }
}

await main();
process.exit(0);
