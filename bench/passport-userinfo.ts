// `npm run bench:passport`: userinfo throughput with a `passport` claim (the stored JWE of a real
// share) against plain userinfo, on the same Passport process in the same run. The server is a
// child process on SQLite; the tokens come from real authorizations (a real consent and seal).
import fs from "node:fs";
import { loadConfig } from "../src/config.js";
import { createContainer } from "../src/container.js";
import { freePort, startProcess } from "../test/helpers/process.js";
import { testEnv, type TestServer } from "../test/helpers/server.js";
import { saveItem, signUpHolder } from "../test/helpers/vault.js";
import { authRequest, redeem, registerRp, walk } from "../test/helpers/oidc.js";
import { registerPassportRp, sharePassport } from "../test/sharing/flow.js";
import { sampleFields, uploadScan } from "../test/sharing/documents.js";
import { runLoad, type LoadResult } from "./load.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function main(): Promise<void> {
  const env = testEnv("sqlite", { LOG_LEVEL: "warn", ARGON2_MEMORY_KIB: "19456", ARGON2_TIME_COST: "2" });
  const proc = await startProcess(env, await freePort());
  const container = await createContainer(loadConfig({ ...env, ISSUER: proc.url }));
  // The helpers register clients through a container; this one shares the server's database.
  const s = { url: proc.url, app: { container } } as unknown as TestServer;
  try {
    const h = await signUpHolder(proc.url);
    const { scan, ref } = await uploadScan(h, "front_side");
    await saveItem(h, "passport", { ...sampleFields("passport"), front_side: ref }, { fileIds: [scan.id] });
    await saveItem(h, "personal_details", sampleFields("personal_details"));

    const passportRp = await registerPassportRp(s, { name: "Bench passport RP" });
    const shared = await sharePassport(s, passportRp, h, "openid passport:passport passport:personal_details");
    const plainRp = await registerRp(s, { name: "Bench plain RP", scopes: ["openid", "email"] });
    const req = await authRequest(plainRp.config, { scope: "openid email" });
    const plain = await redeem(plainRp.config, (await walk(h.agent, req.url)).callback, req);

    const targets = {
      plain: { method: "GET" as const, path: "/me", headers: { authorization: `Bearer ${plain.access_token}` } },
      passport: { method: "GET" as const, path: "/me", headers: { authorization: `Bearer ${shared.tokens.access_token}` } },
    };
    const sizes = { plain: 0, passport: 0 };
    for (const k of ["plain", "passport"] as const) {
      const res = await fetch(proc.url + targets[k].path, { headers: targets[k].headers });
      if (!res.ok) throw new Error(`${k} userinfo answered ${res.status}`);
      sizes[k] = (await res.text()).length;
    }
    for (const k of ["plain", "passport"] as const) await runLoad(proc.url, targets[k], { seconds: 1 }, CONNECTIONS);

    const results: Record<"plain" | "passport", LoadResult[]> = { plain: [], passport: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of r % 2 === 0 ? (["plain", "passport"] as const) : (["passport", "plain"] as const)) {
        results[k].push(await runLoad(proc.url, targets[k], { seconds: SECONDS }, CONNECTIONS));
      }
    }
    const rate = (rs: LoadResult[]) => rs.reduce((n, x) => n + x.ok, 0) / rs.reduce((n, x) => n + x.seconds, 0);
    const failed = (rs: LoadResult[]) => rs.reduce((n, x) => n + x.failed, 0);
    const p99 = (rs: LoadResult[]) => [...rs.map((x) => x.p99)].sort((a, b) => a - b)[Math.floor(rs.length / 2)];
    const perRound = results.passport.map((x, i) => x.rps / results.plain[i]!.rps);
    console.log(`userinfo with a passport claim vs plain userinfo — one Passport process (SQLite), ${ROUNDS} alternating rounds × ${SECONDS} s, ${CONNECTIONS} connections, loopback`);
    console.log(`| userinfo | req/s | p99 ms | body bytes | failed |`);
    console.log(`|---|---|---|---|---|`);
    console.log(`| plain JSON (openid email) | ${rate(results.plain).toFixed(0)} | ${p99(results.plain)} | ${sizes.plain} | ${failed(results.plain)} |`);
    console.log(`| with passport claim (passport + personal details, 1 scan) | ${rate(results.passport).toFixed(0)} | ${p99(results.passport)} | ${sizes.passport} | ${failed(results.passport)} |`);
    console.log(`ratio passport/plain: ${(rate(results.passport) / rate(results.plain)).toFixed(2)} (rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`);
  } finally {
    await container.close();
    await proc.stop();
    fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
