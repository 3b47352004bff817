// Verifies the email item with a one-time code. The address passes through to be mailed (it must)
// but is stored only as an HMAC. A correct code earns a signed attestation (a JWT under the
// provider's published keys) that the browser seals into the email item, so a relying party can
// check "this address was verified by Passport" without trusting the operator's database.
import crypto from "node:crypto";
import { importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK } from "jose";
import type { EmailCodeStore } from "../db/email-codes.js";
import { AppError, ValidationError } from "../errors.js";
import type { KeyRing } from "../oidc/keys.js";
import type { Mailer } from "./mailer.js";

const CODE_TTL_MS = 15 * 60_000;
const MAX_ATTEMPTS = 5;
const MAX_SENDS_PER_HOUR = 5;
export const ATTESTATION_TYP = "passport-attestation+jwt";

export interface EmailAttestation {
  email: string;
  verifiedAt: number;
}

export class EmailVerificationService {
  constructor(
    private readonly store: EmailCodeStore,
    private readonly mailer: Mailer,
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly hmacKey: string,
  ) {}

  private hash(value: string): string {
    return crypto.createHmac("sha256", this.hmacKey).update(value).digest("hex");
  }

  async sendCode(accountId: string, email: string, now = Date.now()): Promise<void> {
    const address = email.trim().toLowerCase();
    if ((await this.store.countRecent(accountId, now - 3600_000)) >= MAX_SENDS_PER_HOUR) {
      throw new AppError("too_many_codes", "Too many codes were sent in the last hour. Try again later.", 429);
    }
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
    await this.store.put({ accountId, emailHash: this.hash(address), codeHash: this.hash(`${address}:${code}`), attempts: 0, sentAt: now, expiresAt: now + CODE_TTL_MS });
    await this.mailer.send({
      to: address,
      subject: `Your Passport code: ${code}`,
      text: `Enter this code in Passport to verify your email address:\n\n    ${code}\n\nIt expires in 15 minutes. If you did not ask for it, ignore this mail.`,
    });
  }

  /** Checks the code; on success returns the signed attestation for the browser to seal. */
  async verify(accountId: string, email: string, code: string, now = Date.now()): Promise<string> {
    const address = email.trim().toLowerCase();
    const emailHash = this.hash(address);
    const row = await this.store.get(accountId, emailHash);
    const wrong = () => new ValidationError("The code is wrong or has expired. Ask for a new one.", { code: "wrong or expired code" });
    if (!row || row.expiresAt < now || row.attempts >= MAX_ATTEMPTS) throw wrong();
    const expected = Buffer.from(row.codeHash);
    const given = Buffer.from(this.hash(`${address}:${code}`));
    if (!crypto.timingSafeEqual(expected, given)) {
      await this.store.bumpAttempts(accountId, emailHash);
      throw wrong();
    }
    await this.store.delete(accountId, emailHash);
    return this.sign({ email: address, verifiedAt: now });
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purge(now);
  }

  /** Checks an attestation this server issued; returns what it attests, or null. */
  async check(jwt: string): Promise<EmailAttestation | null> {
    try {
      const { jwks } = await this.keys.signingKeys();
      const publicKeys = jwks.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub);
      const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: publicKeys as JWK[] }), { issuer: this.issuer, typ: ATTESTATION_TYP });
      const vc = payload.verified_claims as { claims?: { email?: string }; verification?: { time?: string } } | undefined;
      if (!vc?.claims?.email || !vc.verification?.time) return null;
      return { email: vc.claims.email, verifiedAt: Date.parse(vc.verification.time) };
    } catch {
      return null;
    }
  }

  private async sign(a: EmailAttestation): Promise<string> {
    const { jwks } = await this.keys.signingKeys();
    const jwk = jwks.find((k) => k.kty === "EC");
    if (!jwk) throw new AppError("server_error", "no EC signing key", 500);
    const key = await importJWK(jwk, "ES256");
    // The OpenID Connect for Identity Assurance shape, so relying parties read one format.
    return new SignJWT({
      verified_claims: {
        verification: { trust_framework: "passport_email_otp", time: new Date(a.verifiedAt).toISOString(), evidence: [{ type: "electronic_record", check_details: [{ check_method: "otp_email" }] }] },
        claims: { email: a.email, email_verified: true },
      },
    })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: ATTESTATION_TYP })
      .setIssuer(this.issuer)
      .setIssuedAt(Math.floor(a.verifiedAt / 1000))
      .sign(key);
  }
}
