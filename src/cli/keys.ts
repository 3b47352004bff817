// `passport keys ...` and `passport purge`: signing-key rotation and clean-up of expired rows.
import type { Command } from "commander";
import { purgeExpired } from "../container.js";
import { handler, withJson } from "./context.js";
import { iso, table } from "./output.js";

export function keysCommand(program: Command): void {
  const keys = program.command("keys").description("token signing keys");

  withJson(keys.command("list").description("list signing keys (active first, then retiring)")).action(
    handler(async ({ c, out }) => {
      const all = await c.keys.listSigningKeys();
      const rows = all.map((k) => ({ kid: k.kid, kty: k.kty, status: k.status, created_at: iso(k.createdAt), retired_at: iso(k.retiredAt) }));
      out.result(rows, () => table(["KID", "KTY", "STATUS", "CREATED", "RETIRED"], rows.map((k) => [k.kid, k.kty, k.status, k.created_at ?? "", k.retired_at ?? ""])));
    }),
  );

  withJson(keys.command("rotate").description("make new signing keys active; the old ones keep verifying until their tokens expire")).action(
    handler(async ({ c, cfg, out }) => {
      const kids = await c.keys.rotateSigningKeys();
      const r = cfg.keyRefreshSeconds;
      const pickup = r > 0 ? `publish them within ${r} s (KEY_REFRESH_SECONDS) and sign with them after ${2 * r} s` : "pick them up when they restart (KEY_REFRESH_SECONDS is 0)";
      out.result({ active_kids: kids, key_refresh_seconds: r }, () => `New active signing keys: ${kids.join(", ")}\nRunning servers ${pickup}.`);
    }),
  );

  withJson(program.command("purge").description("delete expired tokens, sessions, login failures and retired keys")).action(
    handler(async ({ c, out }) => {
      const counts = await purgeExpired(c);
      out.result(counts, () => `Purged: ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    }),
  );
}
