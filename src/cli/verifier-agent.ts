// `passport verifier-agent ...`: a verifier run by a program instead of a member's browser.
//   keys-init --verifier <slug> --out keys.json   makes the keys here (the private ones only in the
//                                                  file, mode 0600) and registers the public ones
//   review --verifier <slug> --keys keys.json --approve | --decide <script>
//                                                  works the queue once (src/cli/agent.ts)
// A decide script gets one opened submission as JSON on stdin ({id, items: [{itemId, type,
// version, fields, files}]}) and answers on stdout {"decision": "approve"} (optionally with
// "validUntil": "YYYY-MM-DD"), {"decision": "reject", "reasons": [{itemType, kind, field?, message}]}
// or {"decision": "skip"}.
import { execFile } from "node:child_process";
import type { Command } from "commander";
import { z } from "zod";
import { parseInput, ValidationError } from "../errors.js";
import { ERROR_KINDS } from "../services/sharing.js";
import { DOCUMENT_TYPES } from "../documents/types.js";
import { type Decision, initAgentKeys, loadAgentKeys, type OpenedSubmission, reviewQueue } from "./agent.js";
import { type Cli, handler, withJson } from "./context.js";
import { fields } from "./output.js";

const decisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve"), validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD").optional() }),
  z.object({ decision: z.literal("reject"), reasons: z.array(z.object({ itemType: z.enum(DOCUMENT_TYPES), kind: z.enum(ERROR_KINDS), field: z.string().max(64).optional(), message: z.string().min(1).max(500) })).min(1) }),
  z.object({ decision: z.literal("skip") }),
]);

/** Runs the decide script for one submission. */
function runScript(script: string, s: OpenedSubmission): Promise<Decision> {
  return new Promise((resolve, reject) => {
    const child = execFile(script, [], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return reject(new ValidationError(`the decide script failed for ${s.id}: ${err.message}`));
      try {
        resolve(parseInput(decisionSchema, JSON.parse(stdout), "decision") as Decision);
      } catch (e) {
        reject(e instanceof ValidationError ? e : new ValidationError(`the decide script answered no JSON for ${s.id}`));
      }
    });
    child.stdin?.end(JSON.stringify(s));
  });
}

export function verifierAgentCommand(program: Command): void {
  const agent = program.command("verifier-agent").description("work a verifier's queue from this machine with its keys in a file (for automated KYC services)");

  withJson(agent.command("keys-init").description("make a verifier's keys here, write them to a file (mode 0600) and register the public keys and first status list"))
    .requiredOption("--verifier <slug>", "the verifier")
    .requiredOption("--out <file>", "where the private keys go (never overwritten)")
    .action(
      handler(async ({ c, out }: Cli, o: { verifier: string; out: string }) => {
        const r = await initAgentKeys(c, o.verifier, o.out);
        out.result({ verifier: o.verifier, kid: r.kid, status_list: r.listId, keys_file: r.file }, () =>
          `Keys for ${o.verifier} are set.\n${fields([["kid", r.kid], ["status list", r.listId], ["keys file", r.file]])}\nKeep the file safe: it is the only copy of the private keys.`,
        );
      }),
    );

  withJson(agent.command("review").description("decide every submission waiting for the verifier, once"))
    .requiredOption("--verifier <slug>", "the verifier")
    .requiredOption("--keys <file>", "the key file made by keys-init")
    .option("--approve", "approve everything waiting (alias: --approve-all)")
    .option("--approve-all", "approve everything waiting")
    .option("--decide <script>", "an executable deciding each submission (JSON on stdin and stdout)")
    .option("--max-days <n>", "longest validity of a credential, in days", "365")
    .action(
      handler(async ({ c, out }: Cli, o: { verifier: string; keys: string; approve?: boolean; approveAll?: boolean; decide?: string; maxDays: string }) => {
        const approveAll = o.approve || o.approveAll;
        if (!approveAll === !o.decide) throw new ValidationError("choose one of --approve-all or --decide <script>");
        const maxDays = parseInput(z.coerce.number().int().min(1).max(3650), o.maxDays, "max days");
        const keys = await loadAgentKeys(c, o.verifier, o.keys);
        const decide = approveAll ? async (): Promise<Decision> => ({ decision: "approve" }) : (s: OpenedSubmission) => runScript(o.decide!, s);
        const r = await reviewQueue(c, o.verifier, keys, decide, { maxDays });
        out.result(r, () => `approved ${r.approved.length}, rejected ${r.rejected.length}, skipped ${r.skipped.length}${r.skipped.map((x) => `\n  ${x.id}: ${x.why}`).join("")}`);
      }),
    );
}
