// `passport users ...`: accounts from the shell. `create` derives the keys exactly as the browser
// does (src/crypto's createAccountMaterial) and sends the service only what the browser would send;
// the recovery key is printed once and never stored.
import type { Command } from "commander";
import { z } from "zod";
import { createAccountMaterial, KDF_ITERATIONS_FLOOR } from "../crypto/index.js";
import { NotFoundError, parseInput } from "../errors.js";
import type { Account } from "../services/accounts.js";
import { type Cli, handler, withJson } from "./context.js";
import { fields, iso, table } from "./output.js";
import { passwordOptions, readPassword } from "./password.js";

const emailSchema = z.string().trim().max(320, "email is too long").email("enter a valid email address");

const describe = (a: Account) => ({ id: a.id, email: a.email, is_admin: a.isAdmin, created_at: iso(a.createdAt) });

async function byEmail(cli: Cli, email: string): Promise<Account> {
  const account = await cli.c.accounts.getByEmail(email);
  if (!account) throw new NotFoundError(`no account with the email ${email}`);
  return account;
}

async function createUser(cli: Cli, o: { email: string; admin?: boolean; passwordStdin?: boolean }, cmd: Command): Promise<void> {
  const email = parseInput(emailSchema, o.email, "email");
  const password = await readPassword(cmd, Boolean(o.passwordStdin));
  // At least the browsers' floor, or a browser would refuse to sign this account in.
  const { body, recoveryKey } = await createAccountMaterial(password, cli.cfg.kdfIterations, KDF_ITERATIONS_FLOOR);
  const account = await cli.c.accounts.signUp({ email, ...body }, { admin: Boolean(o.admin) });
  cli.out.result({ ...describe(account), recovery_key: recoveryKey }, () =>
    [
      fields([
        ["created", account.email],
        ["id", account.id],
        ["admin", account.isAdmin ? "yes" : "no"],
        ["recovery key", recoveryKey],
      ]),
      "The recovery key is shown only this once. Give it to the holder: it is the only way back into the vault without the password.\nAt the first sign-in the holder makes a recovery key of their own and confirms it; this one works until then.",
    ].join("\n"),
  );
}

export function usersCommand(program: Command): void {
  const users = program.command("users").description("manage holder and admin accounts");

  passwordOptions(
    withJson(users.command("create").description("create an account; prints its recovery key (shown once)"))
      .requiredOption("--email <email>", "email address")
      .option("--admin", "make the account an administrator"),
  ).action(handler(createUser));

  withJson(users.command("list").description("list accounts")).action(
    handler(async ({ c, out }) => {
      const all = await c.accounts.list();
      out.result(all.map(describe), () => table(["EMAIL", "ADMIN", "CREATED", "ID"], all.map((a) => [a.email, a.isAdmin ? "yes" : "no", iso(a.createdAt) ?? "", a.id])));
    }),
  );

  for (const [name, admin] of [["promote", true], ["demote", false]] as const) {
    withJson(users.command(name).argument("<email>").description(admin ? "make an account an administrator" : "take administrator rights away")).action(
      handler(async (cli, email: string) => {
        const account = await byEmail(cli, email);
        await cli.c.accounts.setAdmin(account.id, admin);
        cli.out.result({ ...describe(account), is_admin: admin }, () => `${account.email} is ${admin ? "now" : "no longer"} an administrator.`);
      }),
    );
  }

  withJson(users.command("delete").argument("<email>").description("delete an account and everything in it")).action(
    handler(async (cli, email: string) => {
      const account = await byEmail(cli, email);
      await cli.c.accounts.deleteByOperator(account.id);
      cli.out.result({ id: account.id, email: account.email, deleted: true }, () => `Deleted the account ${account.email}.`);
    }),
  );
}
