// `passport registration-token create|list|revoke`: initial access tokens for dynamic client
// registration (RFC 7591). A token is printed once; only its hash is stored.
import { InvalidArgumentError, type Command } from "commander";
import { AppError } from "../errors.js";
import { DEFAULT_EXPIRES_IN, parseExpiresIn, type InitialAccessTokenView } from "../services/registration.js";
import { handler, withJson } from "./context.js";
import { fields, iso, table } from "./output.js";

function expiresIn(value: string): number {
  try {
    return parseExpiresIn(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof AppError ? err.message.replace(/^expires in: /, "") : String(err));
  }
}

function uses(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError("a whole number from 1 to 1000000");
  return n;
}

const asJson = (t: InitialAccessTokenView) => ({ id: t.id, created_at: iso(t.createdAt), expires_at: iso(t.expiresAt), uses_left: t.usesLeft, used: t.used });

export function registrationTokenCommand(program: Command): void {
  const cmd = program.command("registration-token").description("initial access tokens for dynamic client registration (RFC 7591)");
  withJson(
    cmd
      .command("create")
      .description("issue a token; it is printed once")
      .option("--expires-in <duration>", `how long it stays valid: 30m, 12h, 7d (default ${DEFAULT_EXPIRES_IN})`, expiresIn)
      .option("--uses <n>", "how many registrations it allows (default: unlimited until it expires)", uses),
  ).action(
    handler(async ({ c, out }, o: { expiresIn?: number; uses?: number }) => {
      const t = await c.registration.issue({ expiresInMs: o.expiresIn ?? parseExpiresIn(DEFAULT_EXPIRES_IN), uses: o.uses ?? null });
      out.result({ token: t.token, ...asJson(t), registration_endpoint: `${c.cfg.issuer}/reg` }, () =>
        [
          fields([
            ["token", t.token],
            ["id", t.id],
            ["expires", iso(t.expiresAt)],
            ["uses", t.usesLeft ?? "unlimited"],
            ["endpoint", `${c.cfg.issuer}/reg`],
          ]),
          "Send it as `Authorization: Bearer <token>` to the registration endpoint. It is shown only now.",
        ].join("\n"),
      );
    }),
  );
  withJson(cmd.command("list").description("list tokens (not their values): expiry and uses left")).action(
    handler(async ({ c, out }) => {
      const all = await c.registration.list();
      out.result(all.map(asJson), () =>
        table(
          ["ID", "EXPIRES", "USES LEFT", "USED"],
          all.map((t) => [t.id, iso(t.expiresAt) ?? "", t.usesLeft === null ? "unlimited" : String(t.usesLeft), String(t.used)]),
        ),
      );
    }),
  );
  withJson(cmd.command("revoke").description("revoke a token at once").argument("<id>", "the token's id (from list)")).action(
    handler(async ({ c, out }, id: string) => {
      await c.registration.revoke(id);
      out.result({ revoked: id }, () => `revoked ${id}`);
    }),
  );
}
