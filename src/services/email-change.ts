// Changing the sign-in email from the account page: a code goes to the new address (the email-code
// machinery and its send and guess limits, under a purpose of its own), then the code and the
// current password move the account. The old address is told. The vault is not touched: the key
// derivation's salt is random per account and never derived from the email (src/crypto/kdf-params.ts),
// so the same password opens the same vault under the new address.
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { normalizeEmail, type AccountService } from "./accounts.js";
import type { EmailVerificationService } from "./email-verification.js";

/** "a…e@example.com": enough for the holder to recognise, not a full copy in an old mailbox. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}…${local.length > 1 ? local.slice(-1) : ""}${email.slice(at)}`;
}

export class EmailChangeService {
  constructor(
    private readonly accounts: AccountService,
    private readonly codes: EmailVerificationService,
  ) {}

  /** Sends a code to the new address, after checking that it is free (the final check is the unique index). */
  async sendCode(accountId: string, email: string, ip: string): Promise<void> {
    const account = await this.accounts.get(accountId);
    if (!account) throw new NotFoundError("account not found");
    if (normalizeEmail(email) === normalizeEmail(account.email)) {
      throw new ValidationError("This is already your email address.", { email: "already your address" });
    }
    if (await this.accounts.getByEmail(email)) throw new ConflictError("An account with this email already exists.", { email: "already registered" });
    await this.codes.sendCode(accountId, email, ip, Date.now(), "account-email");
  }

  /** Moves the account to `email`; returns whether the old address could be told. */
  async change(accountId: string, email: string, code: string, currentAuthKey: string, ip: string, device?: string): Promise<{ notified: boolean }> {
    // The password first: a wrong one spends no guess on the code.
    const row = await this.accounts.checkPassword(accountId, currentAuthKey, ip, device, "currentPassword");
    await this.codes.redeemCode(accountId, email, code, "account-email");
    await this.accounts.setEmail(accountId, row.emailNormalized, email);
    try {
      await this.codes.notify(
        row.email,
        "Your Passport email address was changed",
        `The email address you sign in to Passport with was changed to ${maskEmail(email.trim())}.\n\n` +
          "If you did not do this, sign in with the new address and your password (or recover your account with your recovery key) and change both.",
      );
      return { notified: true };
    } catch {
      // The change is made; a mail that could not go out does not undo it.
      return { notified: false };
    }
  }
}
