// `passport clients ...`: register and manage relying parties from the shell. The options map
// onto ClientService's input; ClientService (and oidc-provider's client rules) decide.
import fs from "node:fs";
import { type Command, Option } from "commander";
import { z } from "zod";
import { parseInput, ValidationError } from "../errors.js";
import { supportedAlgorithms } from "../oidc/algorithms.js";
import { GRANT_TYPES } from "../services/client-schema.js";
import { type ClientView, toOidcMetadata } from "../services/clients.js";
import { type Cli, handler, withJson } from "./context.js";
import { fields, iso, table } from "./output.js";

/** Every change made here is logged as made from the CLI (the operator's shell has no account). */
const CLI = { via: "cli" } as const;
import { useProviderClientChecks } from "./provider-checks.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface CreateOptions {
  name: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  type: "confidential" | "public";
  authMethod?: string;
  grantType?: string[];
  scope?: string[];
  jwksFile?: string;
  jwksUri?: string;
  subjectType?: string;
  userinfoSignedAlg?: string;
  userinfoEncryptedAlg?: string;
  userinfoEncryptedEnc?: string;
  idTokenSignedAlg?: string;
  idTokenEncryptedAlg?: string;
  idTokenEncryptedEnc?: string;
  clientId?: string;
}

/** A client id chosen by the operator ends up in URLs and logs: keep it to URL-safe characters. */
const clientIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{1,128}$/, "use 1 to 128 letters, digits or . _ ~ -")
  .optional();

/** The metadata a relying party configures, as oidc-provider publishes it (snake_case). */
function describe(client: ClientView): Record<string, unknown> {
  const { client_id: clientId, ...metadata } = toOidcMetadata(client.clientId, client.input, null);
  return { client_id: clientId, type: client.input.type, enabled: client.enabled, approval: client.approval, purpose: client.purpose, created_at: iso(client.createdAt), updated_at: iso(client.updatedAt), ...metadata };
}

function describeText(client: ClientView): [string, unknown][] {
  const i = client.input;
  return [
    ["client_id", client.clientId],
    ["name", client.name],
    ["type", i.type],
    ["auth method", i.tokenEndpointAuthMethod],
    ["enabled", client.enabled ? "yes" : "no"],
    ["approval", client.approval + (client.approvalReason ? ` (${client.approvalReason})` : "")],
    ["purpose", client.purpose ?? ""],
    ["redirect URIs", i.redirectUris.join(" ")],
    ["post-logout URIs", i.postLogoutRedirectUris.join(" ")],
    ["grant types", i.grantTypes.join(" ")],
    ["scopes", i.scopes.join(" ")],
    ["keys", i.jwksUri ?? (i.jwks ? `${i.jwks.keys.length} inline key(s)` : "")],
    ["subject type", i.subjectType ?? "default"],
    ["created", iso(client.createdAt)],
  ];
}

function readJwks(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ValidationError(`invalid client: jwks: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`, { jwks: "cannot be read" });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(`invalid client: jwks: ${file} is not valid JSON`, { jwks: "is not valid JSON" });
  }
}

/** The command's options → ClientService input. Empty lists fall back to the service's defaults. */
function toInput(o: CreateOptions): Record<string, unknown> {
  const many = (v?: string[]) => (v?.length ? v : undefined);
  return {
    name: o.name,
    redirectUris: o.redirectUri ?? [],
    postLogoutRedirectUris: o.postLogoutRedirectUri ?? [],
    type: o.type,
    // A public client can only use "none"; a confidential one defaults to HTTP Basic.
    tokenEndpointAuthMethod: o.authMethod ?? (o.type === "public" ? "none" : "client_secret_basic"),
    grantTypes: many(o.grantType),
    scopes: many(o.scope),
    jwks: o.jwksFile ? readJwks(o.jwksFile) : undefined,
    jwksUri: o.jwksUri,
    subjectType: o.subjectType,
    idTokenSignedResponseAlg: o.idTokenSignedAlg,
    idTokenEncryptedResponseAlg: o.idTokenEncryptedAlg,
    idTokenEncryptedResponseEnc: o.idTokenEncryptedEnc,
    userinfoSignedResponseAlg: o.userinfoSignedAlg,
    userinfoEncryptedResponseAlg: o.userinfoEncryptedAlg,
    userinfoEncryptedResponseEnc: o.userinfoEncryptedEnc,
  };
}

async function create({ c, cfg, out }: Cli, o: CreateOptions): Promise<void> {
  const clientId = parseInput(clientIdSchema, o.clientId, "client id");
  const { client, secret } = await c.clients.create(toInput(o), { clientId, actor: CLI });
  out.result({ ...describe(client), client_secret: secret }, () =>
    [
      `Registered client "${client.name}".`,
      fields([
        ["client_id", client.clientId],
        ["client_secret", secret ?? "(none: this client authenticates with none)"],
        ["issuer", cfg.issuer],
        ["discovery", `${cfg.issuer}/.well-known/openid-configuration`],
      ]),
      ...(secret ? ["The secret is shown only this once: store it now. `passport clients rotate-secret` issues a new one."] : []),
    ].join("\n"),
  );
}

export function clientsCommand(program: Command): void {
  const clients = program.command("clients").description("register and manage relying parties (OAuth clients)");
  const alg = (flag: string, what: string, values: readonly string[]) => new Option(flag, what).choices(values);

  withJson(clients.command("create").description("register a client; prints its client_id and secret (shown once)"))
    .requiredOption("--name <name>", "name shown to people on the consent page")
    .option("--redirect-uri <uri>", "redirect URI (repeatable)", collect)
    .option("--post-logout-redirect-uri <uri>", "post-logout redirect URI (repeatable)", collect)
    .addOption(new Option("--type <type>", "client type").choices(["confidential", "public"]).default("confidential"))
    .addOption(new Option("--auth-method <method>", "token endpoint auth method (default: client_secret_basic, or none for public clients)").choices(supportedAlgorithms.tokenEndpointAuthMethods))
    .option("--grant-type <grant>", `grant type: ${GRANT_TYPES.join(", ")} (repeatable; default authorization_code + refresh_token)`, collect)
    .option("--scope <scope>", "allowed scope (repeatable; default openid email offline_access)", collect)
    .addOption(new Option("--jwks-file <file>", "file with the client's public keys (JWKS JSON)").conflicts("jwksUri"))
    .option("--jwks-uri <uri>", "https URL of the client's JWKS")
    .addOption(new Option("--subject-type <type>", "subject identifiers").choices(["pairwise", "public"]))
    .addOption(alg("--id-token-signed-alg <alg>", "ID token signing algorithm", supportedAlgorithms.signing))
    .addOption(alg("--id-token-encrypted-alg <alg>", "ID token encryption algorithm", supportedAlgorithms.encryption))
    .addOption(alg("--id-token-encrypted-enc <enc>", "ID token encryption encoding", supportedAlgorithms.encryptionEnc))
    .addOption(alg("--userinfo-signed-alg <alg>", "userinfo signing algorithm", supportedAlgorithms.signing))
    .addOption(alg("--userinfo-encrypted-alg <alg>", "userinfo encryption algorithm", supportedAlgorithms.encryption))
    .addOption(alg("--userinfo-encrypted-enc <enc>", "userinfo encryption encoding", supportedAlgorithms.encryptionEnc))
    .option("--client-id <id>", "choose the client_id instead of a random one")
    .action(handler(create, useProviderClientChecks));

  withJson(clients.command("list").description("list registered clients")).action(
    handler(async ({ c, out }) => {
      const all = await c.clients.list();
      out.result(all.map(describe), () =>
        table(
          ["CLIENT_ID", "NAME", "TYPE", "AUTH METHOD", "ENABLED", "CREATED"],
          all.map((x) => [x.clientId, x.name, x.input.type, x.input.tokenEndpointAuthMethod, x.enabled ? "yes" : "no", iso(x.createdAt) ?? ""]),
        ),
      );
    }),
  );

  withJson(clients.command("show").argument("<client_id>").description("show a client's registration")).action(
    handler(async ({ c, out }, id: string) => {
      const client = await c.clients.get(id);
      out.result(describe(client), () => fields(describeText(client)));
    }),
  );

  withJson(clients.command("delete").argument("<client_id>").description("delete a client for good, with its grants, tokens and the payloads shared with it")).action(
    handler(async ({ c, out }, id: string) => {
      await c.clients.delete(id, CLI);
      out.result({ client_id: id, deleted: true }, () => `Deleted client ${id}.`);
    }),
  );

  withJson(clients.command("rotate-secret").argument("<client_id>").description("issue a new client secret (the old one stops working)")).action(
    handler(async ({ c, out }, id: string) => {
      const secret = await c.clients.rotateSecret(id, CLI);
      out.result({ client_id: id, client_secret: secret }, () => `${fields([["client_id", id], ["client_secret", secret]])}\nThe secret is shown only this once: store it now.`);
    }),
  );

  withJson(clients.command("approve").argument("<client_id>").description("let a client waiting for approval ask for Passport scopes")).action(
    handler(async ({ c, out }, id: string) => {
      const client = await c.clients.approve(id, CLI);
      out.result({ client_id: id, approval: client.approval }, () => `Client ${id} is approved: it may ask for Passport scopes.`);
    }),
  );

  withJson(clients.command("reject").argument("<client_id>").requiredOption("--reason <text>", "why (its developer reads it)").description("refuse a client's Passport scopes; plain OpenID sign-ins keep working")).action(
    handler(async ({ c, out }, id: string, o: { reason: string }) => {
      const client = await c.clients.reject(id, o.reason, CLI);
      out.result({ client_id: id, approval: client.approval, reason: client.approvalReason }, () => `Client ${id} is rejected: its Passport scopes are refused.`);
    }),
  );

  for (const [name, enabled] of [["enable", true], ["disable", false]] as const) {
    withJson(clients.command(name).argument("<client_id>").description(enabled ? "let a disabled client sign people in again" : "refuse a client's requests and tokens at once, until it is enabled")).action(
      handler(async ({ c, out }, id: string) => {
        await c.clients.setEnabled(id, enabled, CLI);
        out.result({ client_id: id, enabled }, () => `Client ${id} is ${enabled ? "enabled" : "disabled"}.`);
      }),
    );
  }
}
