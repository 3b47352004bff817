// Where `users create` gets the password: stdin (--password-stdin) or the PASSPORT_PASSWORD
// variable, never a command-line argument (those show up in `ps` and shell history).
import { type Command, Option } from "commander";
import { ValidationError } from "../errors.js";

/** The browser's rule for new passwords (src/web/_form.ts), so CLI accounts are no weaker. */
export const MIN_PASSWORD = 10;
/** Longer input on stdin is refused rather than buffered without end. */
const MAX_STDIN_BYTES = 64 * 1024;

/** --password-stdin, and PASSPORT_PASSWORD (an env-only option: hidden, refused as an argument). */
export function passwordOptions(cmd: Command): Command {
  return cmd
    .option("--password-stdin", "read the password from stdin")
    .addOption(new Option("--password <password>").env("PASSPORT_PASSWORD").hideHelp())
    .addHelpText("after", "\nThe password comes from stdin (--password-stdin) or from the PASSPORT_PASSWORD environment variable.");
}

export async function readPassword(cmd: Command, fromStdin: boolean, stdin: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  let password: string | undefined;
  if (fromStdin) password = await readStdin(stdin);
  else if (cmd.getOptionValueSource("password") === "env") password = cmd.opts().password as string;
  else if (cmd.getOptionValue("password") !== undefined) {
    throw new ValidationError("password: do not pass it as an argument; use --password-stdin or PASSPORT_PASSWORD", { password: "not as an argument" });
  }
  if (password === undefined) throw new ValidationError("password: give it on stdin with --password-stdin, or in PASSPORT_PASSWORD", { password: "required" });
  if (password.length < MIN_PASSWORD) {
    throw new ValidationError(`password: must have at least ${MIN_PASSWORD} characters`, { password: `at least ${MIN_PASSWORD} characters` });
  }
  return password;
}

/** All of stdin, without the one line ending `echo` or a typed Enter adds. */
async function readStdin(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_STDIN_BYTES) throw new ValidationError("password: stdin is longer than 64 KiB", { password: "too long" });
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
