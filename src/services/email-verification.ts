// Verifies the email item with a one-time code. The address passes through to be mailed (it must)
// but is stored only as an HMAC. A correct code earns a signed attestation (a JWT under the
// provider's published keys) that the browser seals into the email item, so a relying party can
// check "this address was verified by Passport" without trusting the operator's database.
//
// Limits (issue 8): every send is reserved in the atomic counters BEFORE the mail goes out, per
// account, per address (its HMAC: one victim's mailbox, whichever accounts ask) and per client
// address, in fixed one-hour windows. Every guess is counted on its code BEFORE the comparison, and
// a resend keeps that count, so guesses are bounded by EMAIL_CODE_MAX_ATTEMPTS per counted send.
import crypto from "node:crypto";
import { createLocalJWKSet, errors as joseErrors, importJWK, jwtVerify, SignJWT, type JWK } from "jose";
import type { EmailCodeStore } from "../db/email-codes.js";
import { AppError, ValidationError } from "../errors.js";
import type { KeyRing } from "../oidc/keys.js";
import type { Mailer } from "./mailer.js";
import type { RateLimiter } from "./rate-limit.js";

const CODE_TTL_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
export const ATTESTATION_TYP = "passport-attestation+jwt";

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

export interface EmailAttestation {
  email: string;
  verifiedAt: number;
}

export class EmailVerificationService {
  /** Keys the attestation subject; derived so that it never equals an email hash. */
  private readonly subjectKey: Buffer;

  constructor(
    private readonly store: EmailCodeStore,
    private readonly mailer: Mailer,
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly hmacKey: string,
    private readonly limiter: RateLimiter,
    private readonly limits: EmailVerificationLimits,
  ) {
    this.subjectKey = crypto.createHmac("sha256", hmacKey).update("passport/attestation-subject").digest();
  }

  private hash(value: string): string {
    return crypto.createHmac("sha256", this.hmacKey).update(value).digest("hex");
  }

  /**
   * The attestation's `sub`: an HMAC of the account id, not the id itself. Relying parties know a
   * holder by a pairwise `sub`; the raw id would be one identifier shared by all of them.
   */
  private subject(accountId: string): string {
    return crypto.createHmac("sha256", this.subjectKey).update(accountId).digest("base64url");
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

  /** Checks the code; on success returns the signed attestation for the browser to seal. */
  async verify(accountId: string, email: string, code: string, now = Date.now()): Promise<string> {
    const address = email.trim().toLowerCase();
    await this.redeemCode(accountId, address, code, "verify", now);
    return this.sign(accountId, { email: address, verifiedAt: now });
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
   * Checks an attestation presented by `accountId`: this server's signature, type, issuer,
   * audience, expiry, and that it was issued to this account. Throws a ValidationError naming
   * what is wrong; a copy of someone else's attestation proves nothing here.
   */
  async check(jwt: string, accountId: string, now = Date.now()): Promise<EmailAttestation> {
    const refuse = (why: string) => new ValidationError(`The email attestation ${why}.`, { attestation: why });
    let payload;
    try {
      const { jwks } = await this.keys.signingKeys();
      const publicKeys = jwks.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub);
      ({ payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: publicKeys as JWK[] }), {
        issuer: this.issuer,
        audience: this.issuer,
        typ: ATTESTATION_TYP,
        requiredClaims: ["sub", "exp", "iat", "jti"],
        currentDate: new Date(now),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw refuse("has expired: verify the address again");
      throw refuse("is not valid (not issued by this Passport, or altered)");
    }
    if (payload.sub !== this.subject(accountId)) throw refuse("was issued to another account");
    const vc = payload.verified_claims as { claims?: { email?: string }; verification?: { time?: string } } | undefined;
    if (!vc?.claims?.email || !vc.verification?.time) throw refuse("is not valid (no verified email)");
    return { email: vc.claims.email, verifiedAt: Date.parse(vc.verification.time) };
  }

  private async sign(accountId: string, a: EmailAttestation): Promise<string> {
    const { jwks } = await this.keys.signingKeys();
    const jwk = jwks.find((k) => k.kty === "EC");
    if (!jwk) throw new AppError("server_error", "no EC signing key", 500);
    const key = await importJWK(jwk, "ES256");
    const iat = Math.floor(a.verifiedAt / 1000);
    // The OpenID Connect for Identity Assurance shape, so relying parties read one format.
    return new SignJWT({
      verified_claims: {
        verification: { trust_framework: "passport_email_otp", time: new Date(a.verifiedAt).toISOString(), evidence: [{ type: "electronic_record", check_details: [{ check_method: "otp_email" }] }] },
        claims: { email: a.email, email_verified: true },
      },
    })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: ATTESTATION_TYP })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(this.subject(accountId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.limits.attestationTtlDays * 86_400)
      .setJti(crypto.randomUUID())
      .sign(key);
  }
}
