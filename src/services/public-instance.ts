// Start-up warnings for settings that suit `npm start` on a laptop but not a public instance.
import type { Config } from "../config.js";
import { KDF_ITERATIONS_FLOOR } from "../crypto/kdf-params.js";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const isLocalIssuer = (issuer: string) => {
  const host = new URL(issuer).hostname;
  return LOCAL_HOSTS.has(host) || host.endsWith(".localhost");
};

export function publicInstanceWarnings(cfg: Pick<Config, "issuer" | "firstUserIsAdmin" | "kdfIterations">): string[] {
  if (isLocalIssuer(cfg.issuer)) return [];
  const warnings: string[] = [];
  if (cfg.firstUserIsAdmin) {
    warnings.push(
      "FIRST_USER_IS_ADMIN is true on a public issuer: whoever signs up first becomes an administrator. Set FIRST_USER_IS_ADMIN=false and make your admin with `passport admin-link`",
    );
  }
  if (cfg.kdfIterations < KDF_ITERATIONS_FLOOR) {
    warnings.push(
      `KDF_ITERATIONS is ${cfg.kdfIterations}, below the ${KDF_ITERATIONS_FLOOR} browsers accept: new accounts get ${KDF_ITERATIONS_FLOOR}, and browsers refuse to sign in accounts made with fewer (they can recover with their recovery key)`,
    );
  }
  return warnings;
}
