// `npm run bench:blobs`: the S3 blob store against the local one, in one run. Two Passport
// processes on SQLite, one with BLOB_STORE=local (the baseline), one with BLOB_STORE=s3 against
// s3rver (its own child process, so its memory is not counted). Both get the same sealed 10 MiB
// scans, sequentially: upload and download throughput, and each server's RSS growth during one
// 10 MiB and one 40 MiB upload (VmHWM from /proc after resetting it). If uploads stream, the growth
// does not follow the file size. s3rver writes every object to disk, as the local store does.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { sealFile } from "../src/crypto/index.js";
import { freePort, startProcess, type ServerProcess } from "../test/helpers/process.js";
import { testEnv } from "../test/helpers/server.js";
import { signUpHolder, type VaultHolder } from "../test/helpers/vault.js";

const MB = 1024 * 1024;
const FILE_BYTES = 10 * MB;
const BIG_BYTES = 40 * MB;
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 10);
const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), "..");

const memKiB = (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

function resetPeak(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // not permitted: the peak then includes start-up, which only overstates the figure
  }
}

function send(method: string, url: string, headers: Record<string, string>, body?: Uint8Array): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { ...headers, "content-type": "application/octet-stream", "content-length": body.length } : headers }, (res) => {
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const S3RVER = `
const S3rver = require("s3rver");
new S3rver({ address: "127.0.0.1", port: 0, directory: process.argv[1], silent: true, configureBuckets: [{ name: "bench" }] })
  .run().then((a) => process.send(a.port));
`;

interface Side {
  name: string;
  proc: ServerProcess;
  holder: VaultHolder;
  auth: Record<string, string>;
  env: Record<string, string>;
}

async function side(name: string, extra: Record<string, string>): Promise<Side> {
  const env = testEnv("sqlite", { LOG_LEVEL: "warn", VAULT_QUOTA_BYTES: String((UPLOADS + 6) * 12 * MB + BIG_BYTES), VAULT_MAX_FILE_BYTES: String(BIG_BYTES), ...extra });
  const proc = await startProcess(env, await freePort());
  const holder = await signUpHolder(proc.url);
  const auth = {
    cookie: ["passport.sid", "passport.sid.sig", "passport.csrf", "passport.csrf.sig"].map((n) => `${n}=${holder.agent.cookie(n)}`).join("; "),
    "x-csrf-token": holder.agent.csrf,
  };
  return { name, proc, holder, auth, env };
}

async function sealed(h: VaultHolder, bytes: number) {
  const id = crypto.randomUUID();
  return { id, ...(await sealFile(h.vaultKey, id, new Uint8Array(crypto.randomBytes(bytes)))) };
}

async function upload(s: Side, f: { id: string; bytes: Uint8Array; wrappedKey: string }): Promise<void> {
  const r = await send("POST", `${s.proc.url}/api/vault/files?id=${f.id}`, { ...s.auth, "x-wrapped-key": f.wrappedKey }, f.bytes);
  if (r.status !== 201) throw new Error(`${s.name}: upload failed with ${r.status}`);
}

/** RSS growth (MiB) of the server during one upload. */
async function growth(s: Side, f: { id: string; bytes: Uint8Array; wrappedKey: string }): Promise<number> {
  const before = memKiB(s.proc.pid, "VmRSS");
  resetPeak(s.proc.pid);
  await upload(s, f);
  return (memKiB(s.proc.pid, "VmHWM") - before) / 1024;
}

async function main(): Promise<void> {
  const s3Dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-s3-"));
  const s3 = spawn(process.execPath, ["-e", S3RVER, s3Dir], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const s3Port = await new Promise<number>((r) => s3.once("message", (p) => r(Number(p))));
  const s3Env = { BLOB_STORE: "s3", S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, S3_BUCKET: "bench", S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER", S3_FORCE_PATH_STYLE: "true" };
  const sides = [await side("local", {}), await side("s3", s3Env)];
  try {
    const results: Record<string, { up: number; down: number; g10: number; g40: number; peak: number }> = {};
    for (const s of sides) {
      await upload(s, await sealed(s.holder, FILE_BYTES)); // warm-up
      const g10 = await growth(s, await sealed(s.holder, FILE_BYTES));
      const g40 = await growth(s, await sealed(s.holder, BIG_BYTES));
      const peak = memKiB(s.proc.pid, "VmHWM") / 1024;
      const files = [];
      for (let i = 0; i < UPLOADS; i++) files.push(await sealed(s.holder, FILE_BYTES));
      let t = performance.now();
      for (const f of files) await upload(s, f);
      const up = (UPLOADS * (FILE_BYTES + 28)) / MB / ((performance.now() - t) / 1000);
      t = performance.now();
      for (const f of files) {
        const r = await send("GET", `${s.proc.url}/api/vault/files/${f.id}`, s.auth);
        if (r.status !== 200 || r.bytes !== f.bytes.length) throw new Error(`${s.name}: download failed`);
      }
      const down = (UPLOADS * (FILE_BYTES + 28)) / MB / ((performance.now() - t) / 1000);
      results[s.name] = { up, down, g10, g40, peak };
    }
    const l = results.local!;
    const r = results.s3!;
    const line = (name: string, a: string, b: string, ratio: string) => console.log(`${name.padEnd(42)} ${a.padStart(10)} ${b.padStart(10)} ${ratio.padStart(8)}`);
    console.log(`blob store benchmark: ${UPLOADS} sealed 10 MiB scans, sequential, loopback, SQLite; s3 = s3rver in its own process`);
    line("", "local", "s3", "s3/local");
    line("upload throughput (MiB/s)", l.up.toFixed(1), r.up.toFixed(1), (r.up / l.up).toFixed(2));
    line("download throughput (MiB/s)", l.down.toFixed(1), r.down.toFixed(1), (r.down / l.down).toFixed(2));
    line("server RSS growth, one 10 MiB upload (MiB)", l.g10.toFixed(1), r.g10.toFixed(1), "");
    line("server RSS growth, one 40 MiB upload (MiB)", l.g40.toFixed(1), r.g40.toFixed(1), "");
    line("server peak RSS (MiB)", l.peak.toFixed(1), r.peak.toFixed(1), (r.peak / l.peak).toFixed(2));
  } finally {
    for (const s of sides) {
      await s.proc.stop();
      fs.rmSync(s.env.DATA_DIR!, { recursive: true, force: true });
      fs.rmSync(`${s.env.DATA_DIR!}.key`, { force: true });
    }
    s3.kill();
    fs.rmSync(s3Dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
