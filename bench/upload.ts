// `npm run bench:upload`: throughput of sealed-scan uploads into the vault, and the server's memory
// during a 10 MB upload. Baseline, measured in the same run: a bare Node http server that streams
// the same bytes to a file with the same fsync + rename. Both servers are child processes; their
// peak memory is read from /proc (VmHWM), so the client's buffers do not count.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { sealFile } from "../src/crypto/index.js";
import { freePort, startProcess } from "../test/helpers/process.js";
import { testEnv } from "../test/helpers/server.js";
import { signUpHolder } from "../test/helpers/vault.js";

const MB = 1024 * 1024;
const FILE_BYTES = 10 * MB;
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 12);
/** A 4× larger upload: if uploads stream, the server's memory does not grow with the size. */
const BIG_BYTES = 40 * MB;

function memKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Resets the peak-RSS counter of a process (Linux: write 5 to clear_refs). */
function resetPeak(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // not permitted: the peak then includes start-up, which only overstates our figure
  }
}

function post(url: string, body: Uint8Array, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-type": "application/octet-stream", "content-length": body.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const BARE = `
const http = require("node:http"), fs = require("node:fs"), path = require("node:path"), crypto = require("node:crypto");
const dir = process.argv[1];
http.createServer(async (req, res) => {
  const tmp = path.join(dir, crypto.randomBytes(8).toString("hex"));
  const fh = await fs.promises.open(tmp, "wx");
  const sha = crypto.createHash("sha256");
  for await (const chunk of req) { sha.update(chunk); await fh.write(chunk); }
  await fh.sync(); await fh.close();
  await fs.promises.rename(tmp, path.join(dir, sha.digest("hex")));
  res.statusCode = 201; res.end("{}");
}).listen(Number(process.argv[2]), "127.0.0.1", () => process.send && process.send("ready"));
`;

async function main(): Promise<void> {
  const env = testEnv("sqlite", { LOG_LEVEL: "warn", VAULT_QUOTA_BYTES: String(UPLOADS * 12 * MB + 50 * MB), VAULT_MAX_FILE_BYTES: String(BIG_BYTES) });
  const port = await freePort();
  const ours = await startProcess(env, port);
  const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bare-"));
  const barePort = await freePort();
  const bare = spawn(process.execPath, ["-e", BARE, bareDir, String(barePort)], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await new Promise<void>((r) => bare.once("message", () => r()));
  try {
    const holder = await signUpHolder(ours.url);
    const auth = {
      cookie: ["passport.sid", "passport.sid.sig", "passport.csrf", "passport.csrf.sig"].map((n) => `${n}=${holder.agent.cookie(n)}`).join("; "),
      "x-csrf-token": holder.agent.csrf,
    };
    const sealed = [];
    for (let i = 0; i < UPLOADS; i++) {
      const id = crypto.randomUUID();
      sealed.push({ id, ...(await sealFile(holder.vaultKey, id, new Uint8Array(crypto.randomBytes(FILE_BYTES)))) });
    }
    const serverPid = ours.pid;

    // One warm-up upload each, then the peak memory of one 10 MB upload.
    await post(`${ours.url}/api/vault/files?id=${crypto.randomUUID()}`, sealed[0]!.bytes, { ...auth, "x-wrapped-key": sealed[0]!.wrappedKey });
    await post(`http://127.0.0.1:${barePort}/`, sealed[0]!.bytes, {});
    const rssBefore = memKiB(serverPid, "VmRSS");
    resetPeak(serverPid);
    const status = await post(`${ours.url}/api/vault/files?id=${sealed[1]!.id}`, sealed[1]!.bytes, { ...auth, "x-wrapped-key": sealed[1]!.wrappedKey });
    if (status !== 201) throw new Error(`upload failed with ${status}`);
    const peak = memKiB(serverPid, "VmHWM");
    const bigId = crypto.randomUUID();
    const big = await sealFile(holder.vaultKey, bigId, new Uint8Array(crypto.randomBytes(BIG_BYTES)));
    const bigBefore = memKiB(serverPid, "VmRSS");
    resetPeak(serverPid);
    if ((await post(`${ours.url}/api/vault/files?id=${bigId}`, big.bytes, { ...auth, "x-wrapped-key": big.wrappedKey })) !== 201) throw new Error("big upload failed");
    const bigPeak = memKiB(serverPid, "VmHWM");
    const bareBefore = memKiB(bare.pid!, "VmRSS");
    resetPeak(bare.pid!);
    await post(`http://127.0.0.1:${barePort}/`, sealed[1]!.bytes, {});
    const barePeak = memKiB(bare.pid!, "VmHWM");
    const bareBigBefore = memKiB(bare.pid!, "VmRSS");
    resetPeak(bare.pid!);
    await post(`http://127.0.0.1:${barePort}/`, big.bytes, {});
    const bareBigPeak = memKiB(bare.pid!, "VmHWM");

    // Throughput: the remaining uploads, sequentially, on each server.
    const rest = sealed.slice(2);
    let t = performance.now();
    for (const s of rest) {
      const code = await post(`${ours.url}/api/vault/files?id=${s.id}`, s.bytes, { ...auth, "x-wrapped-key": s.wrappedKey });
      if (code !== 201) throw new Error(`upload failed with ${code}`);
    }
    const oursSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    for (const s of rest) await post(`http://127.0.0.1:${barePort}/`, s.bytes, {});
    const bareSeconds = (performance.now() - t) / 1000;

    const mb = (rest.length * (FILE_BYTES + 28)) / MB;
    const line = (name: string, o: string, b: string, r: string) => console.log(`${name.padEnd(42)} ${o.padStart(12)} ${b.padStart(12)} ${r.padStart(8)}`);
    console.log(`vault upload benchmark: ${rest.length} sealed 10 MiB scans, sequential, loopback, SQLite + local blob store`);
    line("", "passport", "bare node", "ratio");
    line("throughput (MiB/s)", (mb / oursSeconds).toFixed(1), (mb / bareSeconds).toFixed(1), (bareSeconds / oursSeconds).toFixed(2));
    line("server RSS growth, one 10 MiB upload (MiB)", ((peak - rssBefore) / 1024).toFixed(1), ((barePeak - bareBefore) / 1024).toFixed(1), "");
    line("server RSS growth, one 40 MiB upload (MiB)", ((bigPeak - bigBefore) / 1024).toFixed(1), ((bareBigPeak - bareBigBefore) / 1024).toFixed(1), "");
    line("server peak RSS (MiB)", (peak / 1024).toFixed(1), (barePeak / 1024).toFixed(1), "");
  } finally {
    await ours.stop();
    bare.kill();
    fs.rmSync(bareDir, { recursive: true, force: true });
    fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    fs.rmSync(`${env.DATA_DIR!}.key`, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
