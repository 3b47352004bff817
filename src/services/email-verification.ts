// Verifies the email item with a one-time code. The address passes through to be mailed (it must)
// but is stored only as an HMAC. A correct code earns an SD-JWT VC in Passport's name (signed with
// the provider's key, bound to the holder's signing key, with a status entry), handed to the
// browser only, which seals it into the email item; a relying party checks it like a verifier's
// credential, with a key-binding JWT, against the issuer metadata at /.well-known/jwt-vc-issuer.
//
// Limits (issue 8): every send is reserved in the atomic counters BEFORE the mail goes out, per
// account, per address (its HMAC: one victim's mailbox, whichever accounts ask) and per client
// address, in fixed one-hour windows. Every guess is counted on its code BEFORE the comparison, and
// a resend keeps that count, so guesses are bounded by EMAIL_CODE_MAX_ATTEMPTS per counted send.
import crypto from "node:crypto";
import { issueCredential, vctFor, verifyIssuedCredential } from "../credentials/index.js";
import type { EmailCodeStore } from "../db/email-codes.js";
import type { EmailCredentialStore } from "../db/email-credentials.js";
import type { HolderKeyStore } from "../db/holder-keys.js";
import { AppError, ValidationError } from "../errors.js";
import type { PassportIssuer } from "./passport-issuer.js";
import { EMAIL_TRUST_FRAMEWORK } from "../sharing/email-credential.js";
import type { Mailer } from "./mailer.js";
import type { RateLimiter } from "./rate-limit.js";

const CODE_TTL_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
export { EMAIL_TRUST_FRAMEWORK };

export interface EmailVerificationLimits {
  sendsPerHour: number;
  sendsPerIpPerHour: number;
  maxAttempts: number;
  attestationTtlDays: number;
}

/**
 * What a code is for: verifying the vault's email item, or moving the account's sign-in email
 * (src/services/email-change.ts). A code for one purpose does not work for the other.
 */
export type CodePurpose = "verify" | "account-email";

const MAILS: Record<CodePurpose, (code: string) => { subject: string; text: string }> = {
  verify: (code) => ({
    subject: `Your Passport code: ${code}`,
    text: `Enter this code in Passport to verify your email address:\n\n    ${code}\n\nIt expires in 15 minutes. If you did not ask for it, ignore this mail.`,
  }),
  "account-email": (code) => ({
    subject: `Your Passport code: ${code}`,
    text: `Enter this code in Passport to sign in with this email address from now on:\n\n    ${code}\n\nIt expires in 15 minutes. If you did not ask for it, ignore this mail: nothing changes without the code.`,
  }),
};

export class EmailVerificationService {
  constructor(
    private readonly store: EmailCodeStore,
    private readonly mailer: Mailer,
    private readonly passport: PassportIssuer,
    private readonly credentials: EmailCredentialStore,
    private readonly holderKeys: HolderKeyStore,
    private readonly hmacKey: string,
    private readonly limiter: RateLimiter,
    private readonly limits: EmailVerificationLimits,
  ) {}

  private hash(value: string): string {
    return crypto.createHmac("sha256", this.hmacKey).update(value).digest("hex");
  }

  /** The code row's key: the address's HMAC, under another label for another purpose. */
  private codeKey(address: string, purpose: CodePurpose): string {
    return this.hash(purpose === "verify" ? address : `${purpose}:${address}`);
  }

  async sendCode(accountId: string, email: string, ip: string, now = Date.now(), purpose: CodePurpose = "verify"): Promise<void> {
    const address = email.trim().toLowerCase();
    const emailHash = this.hash(address);
    const perHour = (limit: number) => ({ limit, windowMs: HOUR_MS });
    // Count first: a refused send mails nothing; an accepted one counts even if the mail fails.
    await this.limiter.reserve(
      [
        { key: `email-send:account:${accountId}`, rule: perHour(this.limits.sendsPerHour) },
        { key: `email-send:address:${emailHash}`, rule: perHour(this.limits.sendsPerHour) },
        { key: `email-send:ip:${ip}`, rule: perHour(this.limits.sendsPerIpPerHour) },
      ],
      "Too many verification codes were asked for this account, this address or from your network.",
      now,
    );
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
    await this.store.issue({ accountId, emailHash: this.codeKey(address, purpose), codeHash: this.hash(`${address}:${code}`), sentAt: now, expiresAt: now + CODE_TTL_MS }, this.limits.maxAttempts);
    await this.mailer.send({ to: address, ...MAILS[purpose](code) });
  }

  /**
   * Checks the code; on success returns the email credential (SD-JWT VC bound to `holderJwk`) for
   * the browser to seal into the email item. It is not kept here. The holder key must be the
   * account's registered one (checked before the code is used up).
   */
  async verify(accountId: string, email: string, code: string, holderJwk: Record<string, unknown>, now = Date.now()): Promise<string> {
    const address = email.trim().toLowerCase();
    const holder = await this.holderKeys.get(accountId);
    if (!holder) throw new ValidationError("Open your vault first: this account has no holder keys yet.", { holderJwk: "no holder keys registered for this account" });
    if (!sameKey(holderJwk, JSON.parse(holder.signingJwk) as Record<string, unknown>)) {
      throw new ValidationError("The key is not this account's holder signing key.", { holderJwk: "is not this account's holder signing key" });
    }
    await this.redeemCode(accountId, address, code, "verify", now);
    return this.issue(accountId, address, holderJwk, now);
  }

  /** Checks and uses up the code sent to `email` for `purpose`; ValidationError (field `code`) otherwise. */
  async redeemCode(accountId: string, email: string, code: string, purpose: CodePurpose, now = Date.now()): Promise<void> {
    const address = email.trim().toLowerCase();
    const emailHash = this.codeKey(address, purpose);
    const wrong = () => new ValidationError("The code is wrong or has expired. Ask for a new one.", { code: "wrong or expired code" });
    // The attempt is counted before the comparison, so parallel guesses cannot exceed the limit.
    const attempt = await this.store.reserveAttempt(accountId, emailHash, now, this.limits.maxAttempts);
    if (!attempt.ok && attempt.reason === "used_up") {
      throw new AppError("code_used_up", "This code was entered wrong too many times. Ask for a new one.", 400, { code: "entered wrong too many times: ask for a new code" });
    }
    if (!attempt.ok) throw wrong();
    const given = Buffer.from(this.hash(`${address}:${code}`));
    if (!crypto.timingSafeEqual(Buffer.from(attempt.codeHash), given)) throw wrong();
    // Only one of parallel right answers redeems the code.
    if (!(await this.store.redeem(accountId, emailHash, attempt.codeHash))) throw wrong();
  }

  /** A notice with no code (e.g. to the old address after an email change). */
  notify(to: string, subject: string, text: string): Promise<void> {
    return this.mailer.send({ to, subject, text });
  }

  /** Expired codes, and the outbox mails that carry them. */
  async purge(now = Date.now()): Promise<number> {
    return (await this.store.purge(now)) + ((await this.mailer.purge?.(now - CODE_TTL_MS)) ?? 0);
  }

  /**
   * Checks an email credential presented by `accountId` with its email item: Passport's own
   * SD-JWT VC (signature under the published keys, disclosures, expiry), bound (`cnf`) to this
   * account's holder signing key, its status entry one issued to this account and not revoked.
   * Returns the credential's record id; throws a ValidationError naming what is wrong, so a copy
   * of someone else's credential proves nothing here.
   */
  async check(credential: string, accountId: string, now = Date.now()): Promise<string> {
    const refuse = (why: string) => new ValidationError(`The email attestation ${why}.`, { attestation: why });
    if (!credential.includes("~")) throw refuse("is of an older kind Passport no longer accepts: verify the address again");
    const r = await verifyIssuedCredential(credential, { keys: (iss, kid) => this.passport.keyFor(iss, kid), now });
    if (!r.ok) {
      if (r.reason === "expired") throw refuse("has expired: verify the address again");
      throw refuse("is not valid (not issued by this Passport, or altered)");
    }
    const p = r.payload;
    if (p.vct !== vctFor(this.passport.issuer, "email")) throw refuse("is not an email attestation");
    if (typeof r.claims.email !== "string") throw refuse("is not valid (no verified email)");
    const cnf = (p.cnf as { jwk?: Record<string, unknown> } | undefined)?.jwk;
    const holder = await this.holderKeys.get(accountId);
    const registered = holder ? (JSON.parse(holder.signingJwk) as Record<string, unknown>) : null;
    if (!cnf || !registered || !sameKey(cnf, registered)) throw refuse("is bound to another holder key");
    const ref = (p.status as { status_list?: { uri?: unknown; idx?: unknown } } | undefined)?.status_list;
    const listId = typeof ref?.uri === "string" && ref.uri.startsWith(`${this.passport.issuer}/status/`) ? ref.uri.slice(this.passport.issuer.length + "/status/".length) : null;
    const row = listId && Number.isInteger(ref?.idx) ? await this.credentials.byStatus(listId, ref!.idx as number) : null;
    if (!row || row.accountId !== accountId) throw refuse("was issued to another account");
    if (row.revokedAt !== null) throw refuse("has been revoked: verify the address again");
    return row.id;
  }

  /**
   * After the email item was saved (`keep`: the credential it now carries, null: none), revokes the
   * credentials that no longer stand for the item. Saved with a credential: every other one that
   * verified the item before and every one issued before it (replaced). Saved without: those that
   * verified the item (its address changed); one just issued and not saved yet (a verification in
   * flight) stays. `all` (the account is deleted): every one.
   */
  async settle(accountId: string, keep: string | null, all = false, now = Date.now()): Promise<void> {
    const live = await this.credentials.live(accountId);
    const kept = keep ? live.find((r) => r.id === keep) : undefined;
    if (kept) await this.credentials.attach(kept.id, now);
    const stale = live.filter((r) => r.id !== keep && (all || r.attachedAt !== null || (kept !== undefined && r.issuedAt <= kept.issuedAt)));
    const marked = await this.credentials.markRevoked(stale, now);
    const byList = new Map<string, number[]>();
    for (const r of marked) byList.set(r.statusListId, [...(byList.get(r.statusListId) ?? []), r.statusIndex]);
    for (const [listId, indices] of byList) await this.passport.revoke(listId, indices);
  }

  /**
   * A new email credential: an SD-JWT VC in Passport's name with one disclosure (`email`), the
   * OpenID Connect for Identity Assurance verification (trust framework `passport_email`, evidence
   * an electronic record checked by a one-time code), bound to the holder's signing key, with a
   * status entry reserved before anything is signed.
   */
  private async issue(accountId: string, email: string, holderJwk: Record<string, unknown>, now: number): Promise<string> {
    const status = await this.passport.reserveStatus();
    const { jwk, kid } = await this.passport.signingKey();
    const iat = Math.floor(now / 1000);
    const exp = iat + this.limits.attestationTtlDays * 86_400;
    const time = new Date(now).toISOString();
    const credential = await issueCredential({
      issuer: this.passport.issuer,
      kid,
      signingKey: jwk,
      vct: vctFor(this.passport.issuer, "email"),
      claims: { email },
      verification: {
        trust_framework: EMAIL_TRUST_FRAMEWORK,
        time,
        evidence: [{ type: "electronic_record", check_details: [{ check_method: "otp_email", time }], record: { type: "email" } }],
      } as never,
      holderJwk: holderJwk as never,
      status: { uri: status.uri, idx: status.idx },
      iat,
      exp,
    });
    await this.credentials.insert({ id: crypto.randomUUID(), accountId, statusListId: status.listId, statusIndex: status.idx, issuedAt: now, expiresAt: exp * 1000, attachedAt: null, revokedAt: null });
    return credential;
  }
}

/** Two public EC JWKs name the same key. */
function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a.kty === b.kty && a.crv === b.crv && typeof a.x === "string" && a.x === b.x && a.y === b.y;
}
