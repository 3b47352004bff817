// `passport verifiers ...`: register and manage verifiers and their members from the shell, like
// `passport clients`. VerifierService decides (trust frameworks, slugs, existing accounts).
import type { Command } from "commander";
import type { VerifierView } from "../services/verifiers.js";
import { type Cli, handler, withJson } from "./context.js";
import { fields, iso, table } from "./output.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface VerifierOptions {
  slug?: string;
  name?: string;
  trustFramework?: string;
  assuranceLevel?: string;
  evidenceMethod?: string[];
  externalIssuer?: string;
  noExternalIssuer?: boolean;
}

function describe(v: VerifierView): Record<string, unknown> {
  return {
    slug: v.slug,
    name: v.name,
    issuer: v.issuer,
    trust_framework: v.trustFramework,
    assurance_level: v.assuranceLevel,
    evidence_methods: v.evidenceMethods,
    external_issuer: v.externalIssuer,
    keys: Boolean(v.signingJwk),
    status: v.status,
    created_at: iso(v.createdAt),
  };
}

const text = (v: VerifierView) =>
  fields([
    ["slug", v.slug],
    ["name", v.name],
    ["issuer", v.issuer],
    ["trust framework", v.trustFramework],
    ["assurance level", v.assuranceLevel],
    ["evidence methods", v.evidenceMethods.join(" ")],
    ["keys", v.signingJwk ? `set (kid ${v.signingJwk.kid})` : "not yet"],
    ["status", v.status],
  ]);

export function verifiersCommand(program: Command): void {
  const verifiers = program.command("verifiers").description("register and manage verifiers (organisations that check documents and sign attestations)");

  withJson(verifiers.command("add").description("register a verifier; a member then sets up its keys in the verifier console (or `passport verifier-agent keys-init`)"))
    .requiredOption("--slug <slug>", "lowercase letters, digits and hyphens; its issuer URL is <ISSUER>/verifiers/<slug>")
    .requiredOption("--name <name>", "shown to holders and relying parties")
    .requiredOption("--trust-framework <name>", "eidas, de_aml, or one listed in VERIFIER_TRUST_FRAMEWORKS")
    .requiredOption("--assurance-level <level>", "e.g. substantial, high")
    .option("--evidence-method <method>", "evidence method, e.g. pipp (repeatable)", collect)
    .option("--external-issuer <url>", "an https URL where the verifier publishes its own keys (docs/verifiers.md)")
    .action(
      handler(async ({ c, out }: Cli, o: VerifierOptions) => {
        const v = await c.verifiers.create({ slug: o.slug, name: o.name, trustFramework: o.trustFramework, assuranceLevel: o.assuranceLevel, evidenceMethods: o.evidenceMethod ?? [], externalIssuer: o.externalIssuer ?? null });
        out.result(describe(v), () => `Registered verifier "${v.name}".\n${text(v)}`);
      }),
    );

  withJson(verifiers.command("list").description("list verifiers")).action(
    handler(async ({ c, out }: Cli) => {
      const all = await c.verifiers.list();
      out.result(all.map(describe), () => table(["SLUG", "NAME", "TRUST FRAMEWORK", "LEVEL", "KEYS", "STATUS"], all.map((v) => [v.slug, v.name, v.trustFramework, v.assuranceLevel, v.signingJwk ? "set" : "-", v.status])));
    }),
  );

  withJson(verifiers.command("update").argument("<slug>").description("change a verifier's name, trust framework, level, evidence methods or external issuer (not its slug)"))
    .option("--name <name>", "new name")
    .option("--trust-framework <name>", "new trust framework")
    .option("--assurance-level <level>", "new assurance level")
    .option("--evidence-method <method>", "replaces the evidence methods (repeatable)", collect)
    .option("--external-issuer <url>", "publish keys there instead")
    .option("--no-external-issuer", "publish keys here again")
    .action(
      handler(async ({ c, out }: Cli, slug: string, o: Omit<VerifierOptions, "externalIssuer"> & { externalIssuer?: string | false }) => {
        const v = await c.verifiers.get(slug);
        const externalIssuer = o.externalIssuer === false ? null : (o.externalIssuer ?? v.externalIssuer);
        const updated = await c.verifiers.update(slug, {
          name: o.name ?? v.name,
          trustFramework: o.trustFramework ?? v.trustFramework,
          assuranceLevel: o.assuranceLevel ?? v.assuranceLevel,
          evidenceMethods: o.evidenceMethod ?? v.evidenceMethods,
          externalIssuer,
        });
        out.result(describe(updated), () => `Saved verifier "${updated.name}".\n${text(updated)}`);
      }),
    );

  for (const [name, status] of [["disable", "disabled"], ["enable", "active"]] as const) {
    withJson(verifiers.command(name).argument("<slug>").description(status === "disabled" ? "stop offering a verifier to holders and refuse new submissions" : "offer a disabled verifier again")).action(
      handler(async ({ c, out }: Cli, slug: string) => {
        const v = await c.verifiers.setStatus(slug, status);
        out.result(describe(v), () => `Verifier ${slug} is ${v.status}.`);
      }),
    );
  }

  const members = verifiers.command("members").description("a verifier's staff (existing accounts)");
  withJson(members.command("list").argument("<slug>").description("list a verifier's members")).action(
    handler(async ({ c, out }: Cli, slug: string) => {
      const all = await c.verifiers.members(slug);
      out.result(all.map((m) => ({ account_id: m.accountId, email: m.email, has_keys: m.hasKeys, added_at: iso(m.addedAt) })), () => table(["EMAIL", "KEYS", "ADDED"], all.map((m) => [m.email, m.hasKeys ? "yes" : "no", iso(m.addedAt) ?? ""])));
    }),
  );
  withJson(members.command("add").argument("<slug>").argument("<email>").description("make an existing account a member")).action(
    handler(async ({ c, out }: Cli, slug: string, email: string) => {
      const m = await c.verifiers.addMember(slug, email);
      out.result({ slug, account_id: m.accountId, email: m.email }, () => `${m.email} is a member of ${slug}. A member who has the keys shares them from the verifier console.`);
    }),
  );
  withJson(members.command("remove").argument("<slug>").argument("<email>").description("remove a member")).action(
    handler(async ({ c, out }: Cli, slug: string, email: string) => {
      await c.verifiers.removeMember(slug, email);
      out.result({ slug, email, removed: true }, () => `${email} is no longer a member of ${slug}.`);
    }),
  );
}
