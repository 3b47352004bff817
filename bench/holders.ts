// `npm run bench:holders`: does Passport slow down as it fills up? For each database (PostgreSQL
// when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, and SQLite) one server per size (1,000,
// 100,000 and 1,000,000 holders by default) is seeded in bulk (bench/holders/seed.ts), then one
// real holder's sign-in, userinfo, vault listing and share step are timed, one request at a time,
// in rounds that alternate between the sizes so other load on the machine hits them alike.
// Prints p50 and p99 per size and the p99 growth from the smallest to the largest size.
// BENCH_EXPLAIN=1 adds the query plans of every statement those steps (and a purge) send, on the
// largest size.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { hash, verify } from "@node-rs/argon2";
import { loadConfig, type Config } from "../src/config.js";
import { createApp, type PassportApp } from "../src/app.js";
import { purgeExpired } from "../src/container.js";
import { composePayload, defaultChoice, type ConsentData } from "../src/sharing/compose.js";
import { derivePasswordKeys } from "../src/crypto/index.js";
import { Agent } from "../test/helpers/agent.js";
import { authRequest } from "../test/helpers/oidc.js";
import type { TestServer } from "../test/helpers/server.js";
import { signUpHolder, type VaultHolder } from "../test/helpers/vault.js";
import { registerPassportRp, sharePassport, type PassportRp } from "../test/sharing/flow.js";
import { storeDocument } from "../test/sharing/documents.js";
import { seedHolders } from "./holders/seed.js";
import { explain, recordQueries } from "./holders/explain.js";

type DbKind = "postgres" | "sqlite";

function setting(name: string, fallback: string): string {
  return process.env[name] || fallback;
}
const SIZES = setting("BENCH_HOLDERS", "1000,100000,1000000").split(",").map((s) => Number(s.trim()));
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("BENCH_HOLDERS: comma-separated holder counts, e.g. 1000,100000");
const PG_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || "";
const DATABASES = setting("BENCH_DATABASES", PG_URL ? "postgres,sqlite" : "sqlite").split(",") as DbKind[];
const ROUNDS = Number(setting("BENCH_ROUNDS", "5"));
/** Samples per step per round at the default scale; BENCH_SAMPLES multiplies them. */
const SCALE = Number(setting("BENCH_SAMPLES", "1"));
const SAMPLES = { "sign-in": 30, userinfo: 150, "vault listing": 150, "share step": 15 };
type Step = keyof typeof SAMPLES;
const STEPS = Object.keys(SAMPLES) as Step[];
/** Tables that grow with the holders: a full scan of one of them is a finding. */
const BIG = ["accounts", "app_sessions", "vault_items", "vault_files", "oidc_payloads", "shares", "share_log"];
/** The cheapest argon2id the configuration allows: the benchmark measures Passport, not argon2. */
const ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

interface Server {
  db: DbKind;
  size: number;
  url: string;
  app: PassportApp;
  cfg: Config;
  holder: VaultHolder;
  rp: PassportRp;
  accessToken: string;
  /** An agent that loaded the sign-in page (CSRF cookie) and the holder's derived authKey. */
  signin: { agent: Agent; authKey: string };
  seedSeconds: number;
  times: Map<Step, number[]>;
  close(): Promise<void>;
}

async function startServer(db: DbKind, size: number): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "passport-holders-"));
  const schema = `bench_holders_${size}_${crypto.randomBytes(3).toString("hex")}`;
  const http0 = http.createServer();
  // Seeding SQLite blocks this process for minutes; idle keep-alive connections must survive it.
  http0.keepAliveTimeout = 30 * 60_000;
  await new Promise<void>((r) => http0.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(http0.address() as AddressInfo).port}`;
  const cfg = loadConfig({
    DATA_DIR: dataDir,
    ISSUER: url,
    ...(db === "postgres" ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
    KDF_ITERATIONS: "1000",
    ARGON2_MEMORY_KIB: String(ARGON2.memoryCost),
    ARGON2_TIME_COST: String(ARGON2.timeCost),
    ARGON2_PARALLELISM: String(ARGON2.parallelism),
    SIGNUP_PER_IP_PER_HOUR: "100000",
    LOG_LEVEL: "warn",
    KEY_REFRESH_SECONDS: "0",
    PURGE_INTERVAL_SECONDS: "0",
  });
  const app = await createApp(cfg);
  http0.on("request", app.koa.callback());
  const s = { url, app } as unknown as TestServer;
  const rp = await registerPassportRp(s, { name: "Bench RP", scopes: ["openid", "email", "passport:passport", "passport:personal_details"] });
  // The measured holder goes in first; the others are seeded around it.
  const holder = await signUpHolder(url);
  await storeDocument(holder, "personal_details");
  await storeDocument(holder, "passport");
  const [row] = (await app.container.ds.query(`SELECT kdf FROM accounts WHERE email_normalized = ${db === "postgres" ? "$1" : "?"}`, [holder.email.toLowerCase()])) as { kdf: string }[];
  const seedSeconds = size > 1 ? await seedHolders(app.container.ds, size - 1, { clientId: rp.clientId, kdf: row!.kdf }) : 0;
  const shared = await sharePassport(s, rp, holder, "openid passport:passport");
  const agent = new Agent(url);
  await agent.get("/signin");
  const pre = await agent.request("POST", "/api/prelogin", { json: { email: holder.email } });
  const { authKey } = await derivePasswordKeys(holder.password, pre.json().kdf);
  return {
    db,
    size,
    url,
    app,
    cfg,
    holder,
    rp,
    accessToken: shared.tokens.access_token,
    signin: { agent, authKey },
    seedSeconds,
    times: new Map(STEPS.map((k) => [k, []])),
    close: async () => {
      http0.closeAllConnections();
      await new Promise<void>((r) => http0.close(() => r()));
      if (cfg.database.type === "postgres") await app.container.ds.query(`DROP SCHEMA IF EXISTS "${cfg.database.schema}" CASCADE`);
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    },
  };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** One timed sample of `step`; untimed preparation (the browser's own work) is left out. */
async function sample(s: Server, step: Step): Promise<number> {
  if (step === "sign-in") {
    const { agent, authKey } = s.signin;
    const t0 = performance.now();
    const pre = await agent.request("POST", "/api/prelogin", { json: { email: s.holder.email } });
    const res = await agent.request("POST", "/api/session", { json: { email: s.holder.email, authKey } });
    const ms = performance.now() - t0;
    check(pre.status === 200 && res.status === 200, `sign-in: ${pre.status} ${res.status} ${res.text}`);
    return ms;
  }
  if (step === "userinfo") {
    const t0 = performance.now();
    const res = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${s.accessToken}` } });
    const body = await res.text();
    const ms = performance.now() - t0;
    check(res.status === 200 && body.includes('"passport"'), `userinfo: ${res.status} ${body.slice(0, 200)}`);
    return ms;
  }
  if (step === "vault listing") {
    const t0 = performance.now();
    const res = await s.holder.agent.request("GET", "/api/vault");
    const ms = performance.now() - t0;
    check(res.status === 200 && res.json().items.length === 2, `vault: ${res.status}`);
    return ms;
  }
  // The share step: the consent page's data request and the sealed payload's upload. Reaching the
  // consent page and sealing (the browser's work) are not timed.
  const req = await authRequest(s.rp.config, { scope: "openid passport:passport", prompt: "consent" });
  const page = await s.holder.agent.follow(req.url.toString());
  const uid = new URL(page.url).pathname.split("/")[2];
  check(page.status === 200 && Boolean(uid), `consent page: ${page.status} ${page.url}`);
  const t0 = performance.now();
  const data = await s.holder.agent.request("GET", `/interaction/${uid}/passport`);
  let ms = performance.now() - t0;
  check(data.status === 200, `consent data: ${data.status}`);
  const consent = data.json<ConsentData>();
  const vault = (await s.holder.agent.request("GET", "/api/vault")).json();
  const choices = new Map(consent.request.entries.map((e) => [e.key, defaultChoice(e, new Set(vault.items.map((i: { type: string }) => i.type)))]));
  const sealed = await composePayload(s.holder.vaultKey, consent, vault.items, choices);
  const t1 = performance.now();
  const res = await s.holder.agent.request("POST", `/interaction/${uid}/share`, { json: sealed });
  ms += performance.now() - t1;
  check(res.status === 200, `share: ${res.status} ${res.text}`);
  await s.holder.agent.follow(res.json().redirect);
  return ms;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

async function argon2Reference(): Promise<number> {
  const h = await hash("a derived auth key of 43 characters.........", ARGON2);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await verify(h, "a derived auth key of 43 characters.........");
    times.push(performance.now() - t0);
  }
  return pct(times.sort((a, b) => a - b), 50);
}

async function benchDatabase(db: DbKind): Promise<void> {
  console.log(`\n## ${db}: seeding ${SIZES.map((n) => n.toLocaleString("en")).join(", ")} holders`);
  const servers: Server[] = [];
  try {
    for (const size of SIZES) {
      const s = await startServer(db, size);
      servers.push(s);
      console.log(`  ${size.toLocaleString("en")} holders seeded in ${s.seedSeconds.toFixed(1)} s`);
    }
    for (const s of servers) for (const step of STEPS) await sample(s, step); // warm-up, checks every step once
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...servers].reverse() : servers;
      for (const s of order) {
        for (const step of STEPS) {
          const n = Math.max(1, Math.round(SAMPLES[step] * SCALE));
          for (let i = 0; i < n; i++) s.times.get(step)!.push(await sample(s, step));
        }
      }
    }
    report(db, servers);
    if (process.env.BENCH_EXPLAIN === "1") await plans(servers[servers.length - 1]!);
  } finally {
    for (const s of servers) await s.close();
  }
}

function report(db: DbKind, servers: Server[]): void {
  const head = ["step", ...servers.map((s) => `${s.size.toLocaleString("en")}: p50 / p99 ms`), `p99 ${servers.at(-1)!.size.toLocaleString("en")} ÷ ${servers[0]!.size.toLocaleString("en")}`];
  console.log(`\n| ${head.join(" | ")} |\n| ${head.map(() => "---").join(" | ")} |`);
  for (const step of STEPS) {
    const cells = servers.map((s) => {
      const t = [...s.times.get(step)!].sort((a, b) => a - b);
      return { p50: pct(t, 50), p99: pct(t, 99), n: t.length };
    });
    const growth = cells.at(-1)!.p99 / cells[0]!.p99;
    console.log(`| ${step} (${db}, n=${cells[0]!.n}) | ${cells.map((c) => `${fmt(c.p50)} / ${fmt(c.p99)}`).join(" | ")} | ${growth.toFixed(2)} |`);
  }
}

async function plans(s: Server): Promise<void> {
  // The measured steps, and one purge (every process runs it every PURGE_INTERVAL_SECONDS).
  const queries = await recordQueries(s.app.container.ds, async () => {
    for (const step of STEPS) await sample(s, step);
    await purgeExpired(s.app.container);
  });
  const out = await explain(s.app.container.ds, queries, BIG);
  console.log(`\n### query plans on ${s.db} with ${s.size.toLocaleString("en")} holders (${out.filter((p) => p.fullScan).length} full scans of a growing table)`);
  for (const p of out) console.log(`- ${p.fullScan ? "**FULL SCAN** " : ""}\`${p.sql.replace(/\s+/g, " ").slice(0, 160)}\`\n  ${p.plan.slice(0, 400)}`);
}

async function main(): Promise<void> {
  console.log(`# Holders benchmark: ${os.cpus().length} cores, Node ${process.version}, sizes ${SIZES.join(", ")}, ${ROUNDS} rounds, samples × ${SCALE}`);
  console.log(`argon2id at the benchmark's cost (m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}): p50 ${fmt(await argon2Reference())} ms per verify, included in sign-in`);
  for (const db of DATABASES) await benchDatabase(db);
}

await main();
process.exit(0);
