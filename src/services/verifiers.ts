// Verifiers: registered by an admin (page or CLI), staffed by existing accounts, keyed from a
// member's browser or the CLI agent. The server keeps public keys and sealed private keys only.
// Also what the world reads: the public list, SD-JWT VC issuer metadata and status lists.
import crypto from "node:crypto";
import { z } from "zod";
import type { JWK } from "jose";
import type { VerifierRow } from "../db/entities.js";
import type { VerifierStore } from "../db/verifiers.js";
import type { StatusListStore } from "../db/status-lists.js";
import type { HolderKeyStore } from "../db/holder-keys.js";
import type { SubmissionStore } from "../db/submissions.js";
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, fromZod } from "../errors.js";
import { DOCUMENT_TYPES } from "../documents/types.js";
import { issuerMetadataUrl } from "../credentials/metadata.js";
import type { AccountService } from "./accounts.js";
import { type PublicEcJwk, stripJwk } from "./public-jwk.js";
import { checkStatusListToken, setIndices } from "./status-token.js";

/** Every document type but email, which Passport verifies itself (by a code). */
export const ACCEPTED_TYPES = DOCUMENT_TYPES.filter((t) => t !== "email");

const slugSchema = z.string().trim().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, "use 1 to 64 lowercase letters, digits and inner hyphens");

export function verifierInputSchema(trustFrameworks: readonly string[]) {
  return z.object({
    slug: slugSchema,
    name: z.string().trim().min(1, "is required").max(200, "is too long (200 characters at most)"),
    trustFramework: z.string().trim().refine((t) => trustFrameworks.includes(t), { message: `must be one of ${trustFrameworks.join(", ")} (VERIFIER_TRUST_FRAMEWORKS adds more)` }),
    assuranceLevel: z.string().trim().min(1, "is required").max(64).regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : -"),
    evidenceMethods: z.array(z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : -")).min(1, "name at least one (e.g. pipp)").max(20),
    externalIssuer: z
      .string()
      .trim()
      .max(500)
      .url("is not a URL")
      .refine((u) => u.startsWith("https://") || u.startsWith("http://localhost"), { message: "must be an https URL" })
      .nullable()
      .optional(),
  });
}
export type VerifierInput = z.output<ReturnType<typeof verifierInputSchema>>;

export interface VerifierView {
  id: string;
  slug: string;
  name: string;
  issuer: string;
  trustFramework: string;
  assuranceLevel: string;
  evidenceMethods: string[];
  externalIssuer: string | null;
  signingJwk: JWK | null;
  encryptionJwk: JWK | null;
  status: "active" | "disabled";
  createdAt: number;
}

export interface MemberView {
  accountId: string;
  email: string;
  hasKeys: boolean;
  addedAt: number;
}

export interface KeySetup {
  signingJwk: PublicEcJwk;
  encryptionJwk: PublicEcJwk;
  /** The private keys sealed to this member's holder encryption key (null for the CLI agent). */
  sealedKeys: string | null;
  /** The first status list, signed with the new signing key; its `sub` names the list's URI. */
  statusListToken: string;
}

export class VerifierService {
  constructor(
    private readonly store: VerifierStore,
    private readonly lists: StatusListStore,
    private readonly holderKeys: HolderKeyStore,
    private readonly submissions: SubmissionStore,
    private readonly accounts: AccountService,
    private readonly issuerBase: string,
    readonly rules: { trustFrameworks: string[]; statusListSize: number },
  ) {}

  /** Our issuer URL for a verifier (the external one, if it publishes its keys itself). */
  issuerOf(v: Pick<VerifierRow, "slug" | "externalIssuer">): string {
    return v.externalIssuer ?? this.ourIssuer(v.slug);
  }

  ourIssuer(slug: string): string {
    return `${this.issuerBase}/verifiers/${slug}`;
  }

  statusUri(slug: string, listId: string): string {
    return `${this.ourIssuer(slug)}/status/${listId}`;
  }

  view(v: VerifierRow): VerifierView {
    return {
      id: v.id,
      slug: v.slug,
      name: v.name,
      issuer: this.issuerOf(v),
      trustFramework: v.trustFramework,
      assuranceLevel: v.assuranceLevel,
      evidenceMethods: JSON.parse(v.evidenceMethods) as string[],
      externalIssuer: v.externalIssuer,
      signingJwk: v.signingJwk ? (JSON.parse(v.signingJwk) as JWK) : null,
      encryptionJwk: v.encryptionJwk ? (JSON.parse(v.encryptionJwk) as JWK) : null,
      status: v.status,
      createdAt: v.createdAt,
    };
  }

  // ---- admin

  parseInput(input: unknown): VerifierInput {
    const r = verifierInputSchema(this.rules.trustFrameworks).safeParse(input);
    if (!r.success) throw fromZod(r.error, "verifier");
    return r.data;
  }

  async list(): Promise<VerifierView[]> {
    return (await this.store.list()).map((v) => this.view(v));
  }

  async get(slug: string): Promise<VerifierView> {
    return this.view(await this.row(slug));
  }

  async create(raw: unknown): Promise<VerifierView> {
    const input = this.parseInput(raw);
    const row: VerifierRow = {
      id: crypto.randomUUID(),
      slug: input.slug,
      name: input.name,
      trustFramework: input.trustFramework,
      assuranceLevel: input.assuranceLevel,
      evidenceMethods: JSON.stringify([...new Set(input.evidenceMethods)]),
      externalIssuer: input.externalIssuer ?? null,
      signingJwk: null,
      encryptionJwk: null,
      status: "active",
      createdAt: Date.now(),
    };
    if (!(await this.store.insert(row))) throw new ValidationError(`a verifier with the slug ${input.slug} exists already`, { slug: "is taken" });
    return this.view(row);
  }

  /** Everything but the slug (it is in issuer URLs and credentials already issued). */
  async update(slug: string, raw: unknown): Promise<VerifierView> {
    const v = await this.row(slug);
    const input = this.parseInput({ ...(raw as object), slug });
    await this.store.update(v.id, {
      name: input.name,
      trustFramework: input.trustFramework,
      assuranceLevel: input.assuranceLevel,
      evidenceMethods: JSON.stringify([...new Set(input.evidenceMethods)]),
      externalIssuer: input.externalIssuer ?? null,
    });
    return this.get(slug);
  }

  async setStatus(slug: string, status: "active" | "disabled"): Promise<VerifierView> {
    const v = await this.row(slug);
    await this.store.update(v.id, { status });
    return this.get(slug);
  }

  async members(slug: string): Promise<MemberView[]> {
    const v = await this.row(slug);
    const rows = await this.store.membersOf(v.id);
    const out: MemberView[] = [];
    for (const m of rows) out.push({ accountId: m.accountId, email: (await this.accounts.get(m.accountId))?.email ?? "(deleted)", hasKeys: !!m.sealedKeys, addedAt: m.addedAt });
    return out;
  }

  /** An existing account only: a field error (`email`) otherwise. */
  async addMember(slug: string, email: string): Promise<MemberView> {
    const v = await this.row(slug);
    const clean = z.string().trim().email().safeParse(email);
    if (!clean.success) throw new ValidationError("enter an email address", { email: "enter an email address" });
    const account = await this.accounts.getByEmail(clean.data);
    if (!account) throw new ValidationError(`there is no account with the email ${clean.data}`, { email: "no account has this email" });
    const row = { verifierId: v.id, accountId: account.id, sealedKeys: null, addedAt: Date.now() };
    if (!(await this.store.addMember(row))) throw new ValidationError(`${account.email} is a member already`, { email: "is a member already" });
    return { accountId: account.id, email: account.email, hasKeys: false, addedAt: row.addedAt };
  }

  /** By account id or email. */
  async removeMember(slug: string, who: string): Promise<void> {
    const v = await this.row(slug);
    const account = who.includes("@") ? await this.accounts.getByEmail(who) : await this.accounts.get(who);
    if (!account || !(await this.store.removeMember(v.id, account.id))) throw new NotFoundError(`${who} is not a member of ${v.name}`);
  }

  // ---- members (console API)

  /** The verifier, if `accountId` is one of its members: 404 for an unknown slug, 403 for a non-member. */
  async asMember(slug: string, accountId: string): Promise<VerifierRow> {
    const v = await this.row(slug);
    if (!(await this.store.member(v.id, accountId))) throw new ForbiddenError(`you are not a member of ${v.name}`);
    return v;
  }

  /** The verifiers `accountId` works for, by name, with how many submissions wait (the console's list page). */
  async membershipsOf(accountId: string): Promise<(VerifierView & { waiting: number })[]> {
    const mine = await this.store.membershipsOf(accountId);
    const rows = (await this.store.byIds(mine.map((m) => m.verifierId))).sort((a, b) => a.name.localeCompare(b.name));
    return Promise.all(rows.map(async (v) => ({ ...this.view(v), waiting: (await this.submissions.countsByState(v.id)).submitted ?? 0 })));
  }

  async console(slug: string, accountId: string) {
    const v = await this.asMember(slug, accountId);
    const members = await this.store.membersOf(v.id);
    const me = members.find((m) => m.accountId === accountId)!;
    const waiting = [];
    for (const m of members.filter((x) => !x.sealedKeys && x.accountId !== accountId)) {
      const keys = await this.holderKeys.get(m.accountId);
      if (!keys) continue; // they have not opened their vault since holder keys exist: nothing to seal to yet
      waiting.push({ accountId: m.accountId, email: (await this.accounts.get(m.accountId))?.email ?? "", encryptionJwk: JSON.parse(keys.encryptionJwk) as JWK });
    }
    const lists = await this.lists.ofVerifier(v.id);
    return {
      verifier: this.view(v),
      sealedKeys: me.sealedKeys,
      waiting,
      counts: await this.submissions.countsByState(v.id),
      statusLists: lists.map((l) => ({ id: l.id, uri: this.statusUri(v.slug, l.id), size: l.size, used: l.nextIndex, version: l.version })),
      statusListSize: this.rules.statusListSize,
    };
  }

  /**
   * First key set-up (compare-and-set: 409 if the verifier has keys). The status list token must be
   * signed with the new signing key, name `${issuer}/verifiers/<slug>/status/<uuid>` as its `sub`,
   * and have every entry valid.
   */
  async setupKeys(slug: string, accountId: string | null, input: KeySetup): Promise<VerifierView> {
    const v = accountId ? await this.asMember(slug, accountId) : await this.row(slug);
    if (v.signingJwk) throw new ConflictError(`${v.name} has keys already`);
    if (accountId && !input.sealedKeys) throw new ValidationError("seal the keys to yourself", { sealedKeys: "is required" });
    const signing = stripJwk(input.signingJwk);
    const checked = await checkStatusListToken(input.statusListToken, signing);
    const prefix = `${this.ourIssuer(v.slug)}/status/`;
    const listId = checked.sub.startsWith(prefix) ? checked.sub.slice(prefix.length) : "";
    if (!z.string().uuid().safeParse(listId).success) throw new ValidationError(`the status list token's sub must be ${prefix}<a new UUID>`, { statusListToken: "has the wrong sub" });
    if (checked.size < 16 || checked.size > 1_048_576) throw new ValidationError("the status list must have 16 to 1048576 entries", { statusListToken: "has the wrong size" });
    if (setIndices(checked.list, checked.size).size) throw new ValidationError("a new status list has every entry valid (0)", { statusListToken: "has revoked entries" });
    const ok = await this.store.setKeys(
      v.id,
      { signingJwk: JSON.stringify(signing), encryptionJwk: JSON.stringify(stripJwk(input.encryptionJwk)) },
      accountId && input.sealedKeys ? { accountId, sealedKeys: input.sealedKeys } : null,
      { id: listId, verifierId: v.id, size: checked.size, nextIndex: 0, token: input.statusListToken, version: 1, updatedAt: Date.now() },
    );
    if (!ok) throw new ConflictError(`${v.name} has keys already`);
    return this.get(slug);
  }

  /** A member who has the keys shares them with one who has not (once: 409 if they have them). */
  async shareKeys(slug: string, accountId: string, memberId: string, sealedKeys: string): Promise<void> {
    const v = await this.asMember(slug, accountId);
    const me = await this.store.member(v.id, accountId);
    if (!me?.sealedKeys) throw new ConflictError("you do not hold the keys yourself");
    if (!(await this.store.member(v.id, memberId))) throw new NotFoundError("no such member");
    if (!(await this.store.setMemberKeys(v.id, memberId, sealedKeys))) throw new ConflictError("that member has the keys already");
  }

  // ---- public

  /** Active verifiers with keys, as holders choose among them. */
  async publicList() {
    const rows = (await this.store.list()).filter((v) => v.status === "active" && v.encryptionJwk);
    return rows.map((v) => ({
      slug: v.slug,
      name: v.name,
      issuer: this.issuerOf(v),
      metadata_uri: issuerMetadataUrl(this.issuerOf(v)),
      trust_framework: v.trustFramework,
      assurance_level: v.assuranceLevel,
      evidence_methods: JSON.parse(v.evidenceMethods) as string[],
      encryption_jwk: JSON.parse(v.encryptionJwk!) as JWK,
      accepts: ACCEPTED_TYPES,
    }));
  }

  /**
   * SD-JWT VC issuer metadata. Not found until keys are set; for a verifier that publishes its keys
   * on its own domain, the answer is a pointer there (the route redirects): we do not vouch for them.
   */
  async issuerMetadata(slug: string): Promise<{ redirect: string } | { issuer: string; jwks: { keys: JWK[] } }> {
    const v = await this.store.bySlug(slug);
    if (!v || !v.signingJwk) throw new NotFoundError("no such issuer");
    if (v.externalIssuer) return { redirect: issuerMetadataUrl(v.externalIssuer) };
    return { issuer: this.ourIssuer(v.slug), jwks: { keys: [{ ...(JSON.parse(v.signingJwk) as JWK), use: "sig", alg: "ES256" }] } };
  }

  /** The current status list token (public: relying parties fetch it). */
  async statusList(slug: string, listId: string): Promise<{ token: string; version: number; updatedAt: number }> {
    const v = await this.store.bySlug(slug);
    const list = v && z.string().uuid().safeParse(listId).success ? await this.lists.get(listId) : null;
    if (!v || !list || list.verifierId !== v.id) throw new NotFoundError("no such status list");
    return { token: list.token, version: list.version, updatedAt: list.updatedAt };
  }

  rowsByIds(ids: string[]): Promise<VerifierRow[]> {
    return this.store.byIds(ids);
  }

  async row(slug: string): Promise<VerifierRow> {
    const v = slugSchema.safeParse(slug).success ? await this.store.bySlug(slug) : null;
    if (!v) throw new NotFoundError(`no verifier ${slug}`);
    return v;
  }
}

export class VerifierDisabledError extends AppError {
  constructor(name: string) {
    super("verifier_disabled", `${name} does not take submissions now`, 409);
  }
}
