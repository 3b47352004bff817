// Where `passport users create` takes the password from, checked in-process (no child processes):
// stdin without its line ending, never an argument, and the browser's minimum length.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import { passwordOptions, readPassword } from "../../src/cli/password.js";

function parsed(args: string[]): Command {
  const cmd = passwordOptions(new Command("create").exitOverride());
  cmd.parse(args, { from: "user" });
  return cmd;
}

async function* stdin(...chunks: string[]) {
  for (const c of chunks) yield Buffer.from(c);
}

describe("cli password input", () => {
  it("reads stdin and drops one trailing line ending only", async () => {
    assert.equal(await readPassword(parsed(["--password-stdin"]), true, stdin("correct horse\n")), "correct horse");
    assert.equal(await readPassword(parsed(["--password-stdin"]), true, stdin("correct ", "horse\r\n")), "correct horse");
    assert.equal(await readPassword(parsed(["--password-stdin"]), true, stdin("  spaces kept  \n\n")), "  spaces kept  \n");
  });

  it("refuses a password given as an argument", async () => {
    await assert.rejects(readPassword(parsed(["--password", "visible in ps output"]), false, stdin()), /password: do not pass it as an argument/);
  });

  it("refuses a missing, short or endless password", async () => {
    await assert.rejects(readPassword(parsed([]), false, stdin()), /password: give it on stdin with --password-stdin, or in PASSPORT_PASSWORD/);
    await assert.rejects(readPassword(parsed(["--password-stdin"]), true, stdin("short\n")), /password: must have at least 10 characters/);
    await assert.rejects(readPassword(parsed(["--password-stdin"]), true, stdin("x".repeat(40_000), "y".repeat(40_000))), /longer than 64 KiB/);
  });
});
