// The floor under a full sign-in: argon2id verifications alone, at the server's cost, run in the
// Passport process itself and as many at a time as the simulated browsers sign in. A sign-in
// cannot beat this rate; how close it comes is what the rest of the flow costs.
import type { Config } from "../../src/config.js";
import { PasswordHasher } from "../../src/services/password-hasher.js";

export async function argon2Loop(cost: Config["argon2"], count: number, concurrency: number): Promise<{ count: number; seconds: number }> {
  const hasher = new PasswordHasher(cost);
  const stored = await hasher.hash("bench-auth-key");
  let left = count;
  const start = performance.now();
  const worker = async () => {
    while (left-- > 0) if (!(await hasher.verify(stored, "bench-auth-key"))) throw new Error("argon2id verify failed");
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { count, seconds: (performance.now() - start) / 1000 };
}
