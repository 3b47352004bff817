// The developer console's rules: who may register (DEVELOPER_REGISTRATION), how many clients an
// account may own (DEVELOPER_MAX_CLIENTS, counted atomically with the insert, see client-owners.ts),
// whether Passport scopes wait for an admin (DEVELOPER_PASSPORT_SCOPES), and ownership: an account
// sees and manages only the clients it owns. Any other client id is "not found" (404, never 403),
// so the console does not tell which ids exist.
import type { Config } from "../config.js";
import type { ClientOwnerStore } from "../db/client-owners.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import type { Account, AccountService } from "./accounts.js";
import { normalizeEmail } from "./accounts.js";
import type { ClientService, ClientView } from "./clients.js";
import type { ClientActivityService } from "./client-activity.js";

export type DeveloperPolicy = Config["developers"];
export interface Owner {
  accountId: string;
  email: string;
  addedAt: number;
}

const asksPassport = (raw: unknown) => {
  const scopes = (raw as { scopes?: unknown } | null)?.scopes;
  return Array.isArray(scopes) && scopes.some((s) => typeof s === "string" && s.startsWith("passport:"));
};

export class DeveloperService {
  constructor(
    private readonly clients: ClientService,
    private readonly owners: ClientOwnerStore,
    private readonly accounts: AccountService,
    readonly policy: DeveloperPolicy,
    private readonly activity?: ClientActivityService,
  ) {}

  /** Null when the account may register clients; otherwise the reason, in words for the page. */
  refusal(account: Account): string | null {
    const r = this.policy.registration;
    if (r.kind === "everyone" || account.isAdmin) return null;
    if (r.kind === "admins") return "On this server only administrators may register clients.";
    const domain = account.email.split("@").pop()?.toLowerCase() ?? "";
    if (r.domains.includes(domain)) return null;
    return `On this server only accounts with an email address at ${r.domains.join(", ")} may register clients.`;
  }

  /** Whether a registration asking for these scopes needs an admin's approval first. */
  needsApproval(raw: unknown): boolean {
    return this.policy.passportScopes === "approval" && asksPassport(raw);
  }

  async list(account: Account): Promise<ClientView[]> {
    const out: ClientView[] = [];
    for (const id of await this.owners.clientIdsOf(account.id)) out.push(await this.clients.get(id));
    return out;
  }

  /** The client if `account` owns it; NotFound otherwise (whether or not it exists). */
  async get(account: Account, clientId: string): Promise<ClientView> {
    if (!(await this.owners.isOwner(clientId, account.id))) throw new NotFoundError(`no client ${clientId}`);
    return this.clients.get(clientId);
  }

  /**
   * Registers a client owned by `account`, within its limit. Passport scopes under the "approval"
   * policy need a stated purpose and leave the client waiting for an admin.
   */
  async create(account: Account, raw: unknown, purpose: string): Promise<{ client: ClientView; secret: string | null }> {
    const refusal = this.refusal(account);
    if (refusal) throw new ForbiddenError(refusal);
    const requireApproval = this.needsApproval(raw);
    if (requireApproval && !purpose.trim()) {
      throw new ValidationError("invalid client: purpose: say what the Passport scopes are for", { purpose: "say what your service needs these documents for; an administrator reads it before approving" });
    }
    return this.clients.create(raw, {
      owner: { accountId: account.id, maxClients: this.policy.maxClients },
      purpose: purpose.trim() || undefined,
      requireApproval,
      actor: { accountId: account.id, via: "console" },
    });
  }

  async ownersOf(clientId: string): Promise<Owner[]> {
    const out: Owner[] = [];
    for (const r of await this.owners.ownersOf(clientId)) {
      const a = await this.accounts.get(r.accountId);
      if (a) out.push({ accountId: a.id, email: a.email, addedAt: r.addedAt });
    }
    return out;
  }

  /** Adds an existing account as co-owner; an unknown email is a field error. */
  async addOwner(account: Account, clientId: string, email: string): Promise<Account> {
    await this.get(account, clientId);
    const other = email.trim() ? await this.accounts.getByEmail(normalizeEmail(email)) : null;
    if (!other) throw new ValidationError("no account with that email", { email: "no account has this email address; ask them to sign up first" });
    const r = await this.owners.add(clientId, other.id, this.policy.maxClients);
    if (r === "already") throw new ValidationError("already an owner", { email: "is already an owner of this client" });
    if (r === "limit") throw new ValidationError("that account has too many clients", { email: `this account already owns ${this.policy.maxClients} clients, the most one account may have` });
    if (r === "no-account") throw new ValidationError("no account with that email", { email: "no account has this email address" });
    await this.activity?.record(clientId, { accountId: account.id, via: "console" }, "add-owner", ["owners"]);
    return other;
  }

  async removeOwner(account: Account, clientId: string, ownerId: string): Promise<void> {
    await this.get(account, clientId);
    const r = await this.owners.remove(clientId, ownerId);
    if (r === "last") throw new ValidationError("a client keeps at least one owner", { owner: "the last owner cannot be removed; delete the client instead" });
    if (r === "absent") throw new NotFoundError("no such owner");
    await this.activity?.record(clientId, { accountId: account.id, via: "console" }, "remove-owner", ["owners"]);
  }

  /** Admin list: owners' emails per client id. */
  async ownerEmailsByClient(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const [clientId, ids] of await this.owners.ownersByClient()) {
      const emails: string[] = [];
      for (const id of ids) {
        const a = await this.accounts.get(id);
        if (a) emails.push(a.email);
      }
      out.set(clientId, emails);
    }
    return out;
  }
}
