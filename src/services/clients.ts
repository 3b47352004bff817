// Relying parties: registered by an admin (page or CLI), stored in the clients table, served to
// oidc-provider through the adapter. A row keeps the admin's input and the sealed secret; the
// oidc-provider metadata is derived from them on read, so there is one source of truth.
import crypto from "node:crypto";
import type { ClientStore } from "../db/clients.js";
import { isUniqueViolation } from "../db/errors.js";
import type { ClientRow } from "../db/entities.js";
import { AppError, NotFoundError, parseInput, ValidationError } from "../errors.js";
import { type ClientInput, type ClientInputRaw, clientInputSchema } from "./client-schema.js";
import type { SecretBox } from "./secret-box.js";

export interface ClientView {
  clientId: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  input: ClientInput;
  hasSecret: boolean;
}

interface StoredClient {
  input: ClientInput;
  secret: string | null;
}

/** Checks derived metadata with oidc-provider's own client schema; throws with its description. */
export type MetadataValidator = (metadata: Record<string, unknown>) => Promise<void>;

const usesSecret = (i: ClientInput) => i.tokenEndpointAuthMethod === "client_secret_basic" || i.tokenEndpointAuthMethod === "client_secret_post";

export function toOidcMetadata(clientId: string, input: ClientInput, secret: string | null): Record<string, unknown> {
  const m: Record<string, unknown> = {
    client_id: clientId,
    client_name: input.name,
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris,
    grant_types: input.grantTypes,
    response_types: input.grantTypes.includes("authorization_code") ? ["code"] : [],
    token_endpoint_auth_method: input.tokenEndpointAuthMethod,
    scope: input.scopes.join(" "),
  };
  if (secret) m.client_secret = secret;
  if (input.logoUri) m.logo_uri = input.logoUri;
  if (input.jwks) m.jwks = input.jwks;
  if (input.jwksUri) m.jwks_uri = input.jwksUri;
  if (input.subjectType) m.subject_type = input.subjectType;
  if (input.idTokenSignedResponseAlg) m.id_token_signed_response_alg = input.idTokenSignedResponseAlg;
  if (input.idTokenEncryptedResponseAlg) {
    m.id_token_encrypted_response_alg = input.idTokenEncryptedResponseAlg;
    m.id_token_encrypted_response_enc = input.idTokenEncryptedResponseEnc ?? "A256GCM";
  }
  if (input.userinfoSignedResponseAlg) m.userinfo_signed_response_alg = input.userinfoSignedResponseAlg;
  if (input.userinfoEncryptedResponseAlg) {
    // An encrypted userinfo is a nested JWT: it must be signed first.
    m.userinfo_signed_response_alg ??= "RS256";
    m.userinfo_encrypted_response_alg = input.userinfoEncryptedResponseAlg;
    m.userinfo_encrypted_response_enc = input.userinfoEncryptedResponseEnc ?? "A256GCM";
  }
  return m;
}

export class ClientService {
  private validator: MetadataValidator = async () => undefined;
  /**
   * oidc-provider looks the client up on every request. Clients change rarely, so their metadata
   * is kept for `cacheMs`; changes made in this process drop the entry at once, changes made by
   * another process (or the CLI) are seen within `cacheMs`.
   */
  private readonly cache = new Map<string, { meta: Record<string, unknown> | undefined; until: number }>();

  constructor(
    private readonly store: ClientStore,
    private readonly box: SecretBox,
    private readonly cacheMs = 0,
  ) {}

  setValidator(v: MetadataValidator): void {
    this.validator = v;
  }

  /** What the adapter hands oidc-provider; disabled or unknown clients do not exist for it. */
  async findEnabledMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
    const hit = this.cache.get(clientId);
    if (hit && hit.until > Date.now()) return hit.meta;
    const row = await this.store.get(clientId);
    const stored = row?.enabled ? this.parse(row) : null;
    const meta = stored ? toOidcMetadata(row!.clientId, stored.input, stored.secret ? this.box.open(stored.secret) : null) : undefined;
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(clientId, { meta, until: Date.now() + this.cacheMs });
    }
    return meta;
  }

  async list(): Promise<ClientView[]> {
    return (await this.store.list()).map((r) => this.view(r));
  }

  async get(clientId: string): Promise<ClientView> {
    return this.view(await this.mustGet(clientId));
  }

  /** Registers a client; the secret (if any) is returned once and only here. */
  async create(raw: ClientInputRaw | unknown, opts: { clientId?: string } = {}): Promise<{ client: ClientView; secret: string | null }> {
    const input = parseInput(clientInputSchema, raw, "client");
    const clientId = opts.clientId ?? crypto.randomBytes(16).toString("base64url");
    const secret = usesSecret(input) ? newSecret() : null;
    await this.validate(clientId, input, secret);
    const now = Date.now();
    const row: ClientRow = { clientId, name: input.name, enabled: true, createdAt: now, updatedAt: now, metadata: this.serialize(input, secret) };
    try {
      await this.store.insert(row);
      this.cache.delete(clientId);
    } catch (err) {
      // Only a taken id is the caller's problem; anything else is a server fault.
      if (!isUniqueViolation(err)) throw err;
      throw new AppError("conflict", `a client with id ${clientId} already exists`, 409, { clientId: "already exists" });
    }
    return { client: this.view(row), secret };
  }

  /** Updates metadata; keeps the secret unless the method no longer uses one (or newly needs one). */
  async update(clientId: string, raw: ClientInputRaw | unknown): Promise<{ client: ClientView; secret: string | null }> {
    const row = await this.mustGet(clientId);
    const input = parseInput(clientInputSchema, raw, "client");
    const old = this.parse(row);
    let secret = old.secret ? this.box.open(old.secret) : null;
    let issued: string | null = null;
    if (!usesSecret(input)) secret = null;
    else if (!secret) secret = issued = newSecret();
    await this.validate(clientId, input, secret);
    await this.store.update(clientId, { name: input.name, metadata: this.serialize(input, secret), updatedAt: Date.now() });
    this.cache.delete(clientId);
    return { client: await this.get(clientId), secret: issued };
  }

  async rotateSecret(clientId: string): Promise<string> {
    const row = await this.mustGet(clientId);
    const { input } = this.parse(row);
    if (!usesSecret(input)) throw new ValidationError(`this client authenticates with ${input.tokenEndpointAuthMethod}; it has no secret`);
    const secret = newSecret();
    await this.store.update(clientId, { metadata: this.serialize(input, secret), updatedAt: Date.now() });
    this.cache.delete(clientId);
    return secret;
  }

  async setEnabled(clientId: string, enabled: boolean): Promise<void> {
    await this.mustGet(clientId);
    await this.store.update(clientId, { enabled, updatedAt: Date.now() });
    this.cache.delete(clientId);
  }

  async delete(clientId: string): Promise<void> {
    this.cache.delete(clientId);
    if (!(await this.store.delete(clientId))) throw new NotFoundError(`no client ${clientId}`);
  }

  private async validate(clientId: string, input: ClientInput, secret: string | null): Promise<void> {
    try {
      await this.validator(toOidcMetadata(clientId, input, secret));
    } catch (err) {
      const e = err as { error_description?: string; message?: string };
      const description = e.error_description ?? e.message ?? "rejected";
      const fields = providerRuleField(description);
      const summary = Object.entries(fields).map(([k, v]) => (k === "_" ? v : `${k}: ${v}`)).join("; ");
      throw new ValidationError(`invalid client: ${summary}`, fields);
    }
  }

  private serialize(input: ClientInput, secret: string | null): string {
    const stored: StoredClient = { input, secret: secret ? this.box.seal(secret) : null };
    return JSON.stringify(stored);
  }

  private parse(row: ClientRow): StoredClient {
    return JSON.parse(row.metadata) as StoredClient;
  }

  private view(row: ClientRow): ClientView {
    const stored = this.parse(row);
    return { clientId: row.clientId, name: row.name, enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt, input: stored.input, hasSecret: Boolean(stored.secret) };
  }

  private async mustGet(clientId: string): Promise<ClientRow> {
    const row = await this.store.get(clientId);
    if (!row) throw new NotFoundError(`no client ${clientId}`);
    return row;
  }
}

/**
 * Ties oidc-provider's own client rules to the admin's field where the message allows it; others
 * stay general (`_`). oidc-provider wants a sector_identifier_uri for pairwise clients whose
 * redirect URIs span several hosts; Passport registers none (pairwise ids are per client anyway).
 */
function providerRuleField(description: string): Record<string, string> {
  if (description.includes("sector_identifier_uri")) {
    return { redirectUris: "with pairwise subject identifiers all redirect URIs must be on one host (or choose subject type public)" };
  }
  if (description.startsWith("scope ")) return { scopes: description };
  return { _: description };
}

function newSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}
