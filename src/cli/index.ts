// The operator CLI (`passport`, or `npm run cli --`): clients, users, keys, purge, admin-link,
// backup, restore and start. Each command opens the database the server uses, does one thing and
// closes it; exit code 0 on success, 1 with a one-line message on stderr on failure.
import { Command, CommanderError } from "commander";
import { adminLinkCommand } from "./admin-link.js";
import { backupCommands } from "./backup.js";
import { registrationTokenCommand } from "./registration-tokens.js";
import { clientsCommand } from "./clients.js";
import { keysCommand } from "./keys.js";
import { describeError } from "./output.js";
import { startCommand } from "./start.js";
import { usersCommand } from "./users.js";
import { verifiersCommand } from "./verifiers.js";
import { verifierAgentCommand } from "./verifier-agent.js";

export function buildProgram(): Command {
  const program = new Command("passport")
    .description("Passport operator commands. Uses the server's configuration: the environment and the .env file (ENV_FILE) of the working folder.")
    .option("--new-database", "create the database if it does not exist yet (a first install set up from the command line)")
    .exitOverride();
  clientsCommand(program);
  usersCommand(program);
  keysCommand(program);
  adminLinkCommand(program);
  registrationTokenCommand(program);
  backupCommands(program);
  startCommand(program);
  verifiersCommand(program);
  verifierAgentCommand(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has printed its own message (usage errors) or the help text (exit code 0).
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}

// Exit explicitly: a closed database pool or a crypto worker must not keep the process alive.
process.exit(await main(process.argv));
