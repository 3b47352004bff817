// Relying parties: registered by an admin (page or CLI), stored in the clients table, served to
// oidc-provider through the adapter. A row keeps the admin's input and a hash of the secret (see
// client-secrets.ts); the oidc-provider metadata is derived from them on read, so there is one source of truth.
import crypto from "node:crypto";
import type { ClientStore } from "../db/clients.js";
import { isUniqueViolation } from "../db/errors.js";
import type { ClientRow } from "../db/entities.js";
import { AppError, NotFoundError, parseInput, ValidationError } from "../errors.js";
import { type ClientInput, type ClientInputRaw, clientInputSchema, jwksUriProblem } from "./client-schema.js";
import type { SecretBox } from "./secret-box.js";
import type { ChangeVersions } from "../db/change-versions.js";
import { hashClientSecret, newClientSecret } from "./client-secrets.js";
import type { ClientActivityService, ClientActor } from "./client-activity.js";
import { type Approval, approvalOnCreate, approvalOnUpdate, changedFields, type ClientChangeOptions, parsePurpose, REASON_MAX } from "./client-approval.js";

export interface ClientView {
  clientId: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  input: ClientInput;
  hasSecret: boolean;
  /** Passport scopes are refused until 'approved' (src/services/client-approval.ts). */
  approval: Approval;
  purpose: string | null;
  approvalReason: string | null;
}

interface StoredClient {
  input: ClientInput;
  /** hashClientSecret of the secret shown once; null when the method needs none. */
  secretHash?: string | null;
  /** Before secrets were hashed: the secret itself, sealed (or `plain:`). Replaced at start. */
  secret?: string | null;
}

/** Dynamic registration: oidc-provider generated the secret (and returns it once); only its hash comes here. */
interface RegisteredSecret {
  secretHash?: string | null;
}

/** Checks derived metadata with oidc-provider's own client schema; throws with its description. */
export type MetadataValidator = (metadata: Record<string, unknown>) => Promise<void>;

const usesSecret = (i: ClientInput) => i.tokenEndpointAuthMethod === "client_secret_basic" || i.tokenEndpointAuthMethod === "client_secret_post";

/** `secretHash` stands in for client_secret: oidc-provider compares through verifyClientSecret. */
export function toOidcMetadata(clientId: string, input: ClientInput, secretHash: string | null): Record<string, unknown> {
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
  if (secretHash) m.client_secret = secretHash;
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
   * oidc-provider looks the client up several times per request. Clients change rarely, so their
   * metadata is cached, but only while the clients table's change counter stays the same: the
   * database bumps it on every write, from any process or the CLI (src/db/change-versions.ts), so a
   * change applies from the next lookup on. `cacheMs` bounds an entry's life besides; 0, or no
   * `versions`, turns the cache off.
   */
  private readonly cache = new Map<string, { meta: Record<string, unknown> | undefined; until: number }>();
  private cachedVersion: string | null = null;

  constructor(
    private readonly store: ClientStore,
    private readonly box: SecretBox,
    private readonly cacheMs = 0,
    private readonly allowPrivateJwksUri = false,
    private readonly versions?: ChangeVersions,
  ) {}

  /** The cache, emptied if the clients table changed since it was filled; null when it must not be used. */
  private async validCache(): Promise<Map<string, { meta: Record<string, unknown> | undefined; until: number }> | null> {
    if (this.cacheMs <= 0 || !this.versions) return null;
    const version = await this.versions.current("clients");
    if (version === null) return null;
    if (version !== this.cachedVersion) {
      this.cache.clear();
      this.cachedVersion = version;
    }
    return this.cache;
  }

  setValidator(v: MetadataValidator): void {
    this.validator = v;
  }

  /** The change log every change is written to (set by the container). */
  private activity?: ClientActivityService;
  setActivity(a: ClientActivityService): void {
    this.activity = a;
  }

  private async record(clientId: string, actor: ClientActor | null | undefined, action: string, fields: string[]): Promise<void> {
    if (actor !== null) await this.activity?.record(clientId, actor ?? { via: "admin" }, action, fields);
  }

  /** May this client receive Passport scopes now? Read from the database: an approval or rejection applies at once. */
  async passportApproved(clientId: string): Promise<boolean> {
    const row = await this.store.get(clientId);
    return row !== null && (row.approval ?? "approved") === "approved";
  }

  /** The purpose a client stated, once an administrator approved it (shown on the consent page). */
  async approvedPurpose(clientId: string): Promise<string | null> {
    const row = await this.store.get(clientId);
    return row && (row.approval ?? "approved") === "approved" ? (row.purpose ?? null) : null;
  }

  /** Clients waiting for an administrator, oldest first. */
  async pending(): Promise<ClientView[]> {
    return (await this.list()).filter((c) => c.approval === "pending");
  }

  async approve(clientId: string, actor?: ClientActor): Promise<ClientView> {
    await this.mustGet(clientId);
    await this.store.update(clientId, { approval: "approved", approvalReason: null, updatedAt: Date.now() });
    await this.record(clientId, actor, "approve", ["approval"]);
    return this.get(clientId);
  }

  async reject(clientId: string, reason: string, actor?: ClientActor): Promise<ClientView> {
    const text = reason.trim();
    if (!text) throw new ValidationError("say why the client is rejected: its developer reads it", { reason: "required" });
    if (text.length > REASON_MAX) throw new ValidationError(`the reason is too long (at most ${REASON_MAX} characters)`, { reason: "too long" });
    await this.mustGet(clientId);
    await this.store.update(clientId, { approval: "rejected", approvalReason: text, updatedAt: Date.now() });
    await this.record(clientId, actor, "reject", ["approval", "approvalReason"]);
    return this.get(clientId);
  }

  /** What the adapter hands oidc-provider; disabled or unknown clients do not exist for it. */
  async findEnabledMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
    // The version is read before the row: an entry is never older than the version it is kept under.
    const cache = await this.validCache();
    const hit = cache?.get(clientId);
    if (hit && hit.until > Date.now()) return hit.meta;
    const row = await this.store.get(clientId);
    const stored = row?.enabled ? this.parse(row) : null;
    const meta = stored ? toOidcMetadata(row!.clientId, stored.input, this.secretHashOf(stored)) : undefined;
    if (cache) {
      if (cache.size > 10_000) cache.clear();
      cache.set(clientId, { meta, until: Date.now() + this.cacheMs });
    }
    return meta;
  }

  async list(): Promise<ClientView[]> {
    return (await this.store.list()).map((r) => this.view(r));
  }

  async get(clientId: string): Promise<ClientView> {
    return this.view(await this.mustGet(clientId));
  }

  async exists(clientId: string): Promise<boolean> {
    return (await this.store.get(clientId)) !== null;
  }

  /** Validates a registration without storing it (dynamic registration checks before oidc-provider builds the client). */
  check(raw: unknown): ClientInput {
    return this.parseClient(raw);
  }

  /** Registers a client; the secret (if any) is returned once and only here. */
  async create(
    raw: ClientInputRaw | unknown,
    opts: {
      clientId?: string;
      /** Console registrations: the first owner, within their limit (checked atomically with the insert). */
      owner?: { accountId: string; maxClients: number };
      // purpose, requireApproval and actor: ClientChangeOptions (src/services/client-approval.ts).
    } & ClientChangeOptions &
      RegisteredSecret = {},
  ): Promise<{ client: ClientView; secret: string | null }> {
    const input = this.parseClient(raw);
    const purpose = parsePurpose(opts.purpose) ?? null;
    // Hex, not base64url: an id starting with "-" would read as an option on the CLI's command line.
    const clientId = opts.clientId ?? crypto.randomBytes(16).toString("hex");
    const given = opts.secretHash !== undefined;
    const secret = !given && usesSecret(input) ? newClientSecret() : null;
    const secretHash = given ? (usesSecret(input) ? (opts.secretHash ?? null) : null) : secret ? hashClientSecret(secret) : null;
    await this.validate(clientId, input, secretHash);
    const now = Date.now();
    const row: ClientRow = { clientId, name: input.name, enabled: true, createdAt: now, updatedAt: now, metadata: this.serialize(input, secretHash), approval: approvalOnCreate(input, opts.requireApproval), purpose, approvalReason: null };
    try {
      if (!opts.owner) await this.store.insert(row);
      else if (!(await this.store.owners.insertWithOwner(row, opts.owner.accountId, opts.owner.maxClients))) {
        throw new AppError("client_limit", `you already own ${opts.owner.maxClients} clients, the most one account may have; delete one first`, 409);
      }
      this.cache.delete(clientId);
    } catch (err) {
      // Only a taken id is the caller's problem; anything else is a server fault.
      if (!isUniqueViolation(err)) throw err;
      throw new AppError("conflict", `a client with id ${clientId} already exists`, 409, { clientId: "already exists" });
    }
    await this.record(clientId, opts.actor, "create", [...changedFields(null, input), ...(purpose ? ["purpose"] : []), ...(secret ? ["secret"] : []), "approval"]);
    return { client: this.view(row), secret };
  }

  /** Updates metadata; keeps the secret unless the method no longer uses one (or newly needs one). */
  async update(clientId: string, raw: ClientInputRaw | unknown, opts: ClientChangeOptions & RegisteredSecret = {}): Promise<{ client: ClientView; secret: string | null }> {
    const row = await this.mustGet(clientId);
    const input = this.parseClient(raw);
    const purpose = parsePurpose(opts.purpose);
    const before = this.parse(row).input;
    const approval = approvalOnUpdate(row.approval ?? "approved", before, input, opts.requireApproval);
    let secretHash = this.secretHashOf(this.parse(row));
    let issued: string | null = null;
    if (!usesSecret(input)) secretHash = null;
    else if (opts.secretHash !== undefined) secretHash = opts.secretHash;
    else if (!secretHash) secretHash = hashClientSecret((issued = newClientSecret()));
    await this.validate(clientId, input, secretHash);
    const changes: Partial<ClientRow> = { approval, ...(approval === "approved" ? {} : { approvalReason: null }), ...(purpose !== undefined ? { purpose } : {}) };
    await this.store.update(clientId, { name: input.name, metadata: this.serialize(input, secretHash), updatedAt: Date.now(), ...changes });
    this.cache.delete(clientId);
    const fields = [...changedFields(before, input), ...(purpose !== undefined && purpose !== row.purpose ? ["purpose"] : []), ...(issued ? ["secret"] : []), ...(approval !== (row.approval ?? "approved") ? ["approval"] : [])];
    await this.record(clientId, opts.actor, "update", fields);
    return { client: await this.get(clientId), secret: issued };
  }

  async rotateSecret(clientId: string, actor?: ClientActor): Promise<string> {
    const row = await this.mustGet(clientId);
    const { input } = this.parse(row);
    if (!usesSecret(input)) throw new ValidationError(`this client authenticates with ${input.tokenEndpointAuthMethod}; it has no secret`);
    const secret = newClientSecret();
    await this.store.update(clientId, { metadata: this.serialize(input, hashClientSecret(secret)), updatedAt: Date.now() });
    this.cache.delete(clientId);
    await this.record(clientId, actor, "rotate", ["secret"]);
    return secret;
  }

  /**
   * Disabling suspends the client: its tokens, codes and grants are refused at once by every
   * process (artifact lookups read the enabled flag from the database, see oidc-store.ts) but kept,
   * so enabling it again lets unexpired tokens work again. Deleting ends them for good.
   */
  async setEnabled(clientId: string, enabled: boolean, actor?: ClientActor): Promise<void> {
    await this.mustGet(clientId);
    await this.store.update(clientId, { enabled, updatedAt: Date.now() });
    this.cache.delete(clientId);
    await this.record(clientId, actor, enabled ? "enable" : "disable", ["enabled"]);
  }

  /** Deletes the client, its grants, tokens and codes and the payloads shared with it, together. */
  async delete(clientId: string, actor?: ClientActor | null): Promise<void> {
    this.cache.delete(clientId);
    if (!(await this.store.delete(clientId))) throw new NotFoundError(`no client ${clientId}`);
    // Its counters go; its change log stays, with the deletion in it (the audit trail outlives the client).
    await this.activity?.forget([clientId]);
    await this.record(clientId, actor, "delete", []);
  }

  /**
   * Replaces secrets stored before hashing (sealed or `plain:`) by their hashes. Runs at start,
   * where the key that opens them is at hand (a migration has no access to it); rows still in the
   * old form are read correctly meanwhile, so processes may start in any order.
   */
  async hashStoredSecrets(): Promise<number> {
    let done = 0;
    for (const row of await this.store.list()) {
      const stored = this.parse(row);
      if (!stored.secret) continue;
      await this.store.update(row.clientId, { metadata: this.serialize(stored.input, this.secretHashOf(stored)) });
      this.cache.delete(row.clientId);
      done++;
    }
    return done;
  }

  private parseClient(raw: unknown): ClientInput {
    const input = parseInput(clientInputSchema, raw, "client");
    const problem = input.jwksUri ? jwksUriProblem(input.jwksUri, this.allowPrivateJwksUri) : null;
    if (problem) throw new ValidationError(`invalid client: jwksUri: ${problem}`, { jwksUri: problem });
    return input;
  }

  private secretHashOf(stored: StoredClient): string | null {
    if (stored.secretHash) return stored.secretHash;
    return stored.secret ? hashClientSecret(this.box.open(stored.secret)) : null;
  }

  private async validate(clientId: string, input: ClientInput, secretHash: string | null): Promise<void> {
    try {
      await this.validator(toOidcMetadata(clientId, input, secretHash));
    } catch (err) {
      const e = err as { error_description?: string; message?: string };
      const description = e.error_description ?? e.message ?? "rejected";
      const fields = providerRuleField(description);
      const summary = Object.entries(fields).map(([k, v]) => (k === "_" ? v : `${k}: ${v}`)).join("; ");
      throw new ValidationError(`invalid client: ${summary}`, fields);
    }
  }

  private serialize(input: ClientInput, secretHash: string | null): string {
    const stored: StoredClient = { input, secretHash };
    return JSON.stringify(stored);
  }

  private parse(row: ClientRow): StoredClient {
    return JSON.parse(row.metadata) as StoredClient;
  }

  private view(row: ClientRow): ClientView {
    const stored = this.parse(row);
    return { clientId: row.clientId, name: row.name, enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt, input: stored.input, hasSecret: Boolean(stored.secretHash ?? stored.secret), approval: row.approval ?? "approved", purpose: row.purpose ?? null, approvalReason: row.approvalReason ?? null };
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
