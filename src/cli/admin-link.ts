// `passport admin-link`: prints a one-time link that makes the signed-in account opening it an
// administrator. The way to the first admin on a public instance (FIRST_USER_IS_ADMIN=false).
import { InvalidArgumentError, type Command } from "commander";
import { ADMIN_LINK_DEFAULT_MINUTES } from "../services/admin-links.js";
import { handler, withJson } from "./context.js";
import { fields, iso } from "./output.js";

const MAX_MINUTES = 7 * 24 * 60;

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_MINUTES) throw new InvalidArgumentError(`a whole number of minutes from 1 to ${MAX_MINUTES}`);
  return n;
}

export function adminLinkCommand(program: Command): void {
  withJson(
    program
      .command("admin-link")
      .description("print a one-time link that makes the account opening it an administrator")
      .option("--minutes <n>", `how long the link stays valid (default ${ADMIN_LINK_DEFAULT_MINUTES})`, minutes),
  ).action(
    handler(async ({ c, out }, o: { minutes?: number }) => {
      const { url, expiresAt } = await c.adminLinks.issue({ ttlMinutes: o.minutes });
      out.result({ url, expires_at: iso(expiresAt) }, () =>
        [
          fields([
            ["link", url],
            ["expires", iso(expiresAt)],
          ]),
          "Open it signed in with the account that should become an administrator. It works once; keep it private until then.",
        ].join("\n"),
      );
    }),
  );
}
