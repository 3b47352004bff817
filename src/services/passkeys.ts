// Passkeys as a second factor for signing in (WebAuthn through @simplewebauthn/server). They prove
// the holder has a device, nothing more: the vault key still comes from the password or the
// recovery key, so a passkey can neither open the vault nor replace the password.
//
// Challenges live in the database and are taken once (db/passkeys.ts), so a captured response
// cannot be replayed and every process sharing the database can finish a ceremony another began.
// A sign-in challenge is handed out only after the right password, under a random token kept in a
// cookie; the database keeps the token's SHA-256.
import crypto from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type WebAuthnCredential as Credential,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import type { PasskeyStore } from "../db/passkeys.js";
import type { PasskeyRow } from "../db/entities.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.js";

const CHALLENGE_TTL_MS = 5 * 60_000;
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeyChallenge {
  /** For the pending sign-in cookie; never stored as is. */
  token: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

export class PasskeyExpiredError extends AppError {
  constructor() {
    super("passkey_expired", "This sign-in has expired. Enter your password again.", 400);
  }
}

/** The challenge the browser signed (in clientDataJSON); "" when unreadable, which matches none. */
function challengeOf(response: RegistrationResponseJSON): string {
  try {
    const data = JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof data.challenge === "string" ? data.challenge : "";
  } catch {
    return "";
  }
}

const toView = (r: PasskeyRow): PasskeyView => ({ id: r.id, name: r.name, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt });
const transportsOf = (r: PasskeyRow) => JSON.parse(r.transports) as NonNullable<Credential["transports"]>;

export class PasskeyService {
  private readonly rpID: string;
  private readonly origin: string;

  constructor(
    private readonly store: PasskeyStore,
    issuer: string,
    private readonly maxPerAccount: number,
    private readonly rpName = "Passport",
  ) {
    const url = new URL(issuer);
    this.rpID = url.hostname;
    this.origin = url.origin;
  }

  async list(accountId: string): Promise<PasskeyView[]> {
    return (await this.store.list(accountId)).map(toView);
  }

  async required(accountId: string): Promise<boolean> {
    return (await this.store.count(accountId)) > 0;
  }

  /** Options for the browser's navigator.credentials.create(); a newer request replaces an older one. */
  async registrationOptions(account: { id: string; email: string }, now = Date.now()): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.store.list(account.id);
    if (existing.length >= this.maxPerAccount) throw this.tooMany();
    const options = await generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpID,
      userName: account.email,
      // A random handle, not the account id: the authenticator keeps it, the server never asks for it back.
      userID: crypto.randomBytes(16),
      attestationType: "none",
      excludeCredentials: existing.map((r) => ({ id: r.credentialId, transports: transportsOf(r) })),
      authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    });
    await this.store.putChallenge({ idHash: sha256(`register:${account.id}`), accountId: account.id, purpose: "register", challenge: options.challenge, expiresAt: now + CHALLENGE_TTL_MS });
    return options;
  }

  async register(accountId: string, name: string, response: RegistrationResponseJSON, now = Date.now()): Promise<PasskeyView> {
    const challenge = await this.store.takeChallenge(sha256(`register:${accountId}`), "register", now, challengeOf(response));
    if (!challenge) throw new ValidationError("The passkey request expired. Try again.", { passkey: "expired: try again" });
    let credential: WebAuthnCredential;
    try {
      const result = await verifyRegistrationResponse({ response, expectedChallenge: challenge.challenge, expectedOrigin: this.origin, expectedRPID: this.rpID, requireUserVerification: false });
      if (!result.verified) throw new Error("not verified");
      credential = result.registrationInfo.credential;
    } catch {
      throw new ValidationError("The passkey could not be checked. Try again.", { passkey: "not accepted" });
    }
    const row: PasskeyRow = {
      id: crypto.randomUUID(),
      accountId,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString("base64url"),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      name,
      createdAt: now,
      lastUsedAt: null,
    };
    if (!(await this.store.insert(row))) throw new ConflictError("This passkey is registered already.", { passkey: "registered already" });
    // Counted after the insert, so parallel registrations cannot pass the limit together.
    if ((await this.store.count(accountId)) > this.maxPerAccount) {
      await this.store.remove(accountId, row.id);
      throw this.tooMany();
    }
    return toView(row);
  }

  async rename(accountId: string, id: string, name: string): Promise<void> {
    if (!(await this.store.update(accountId, id, { name }))) throw new NotFoundError("This passkey is not on your account.");
  }

  async remove(accountId: string, id: string): Promise<void> {
    if (!(await this.store.remove(accountId, id))) throw new NotFoundError("This passkey is not on your account.");
  }

  /** After the right password: a challenge for one of the account's passkeys. */
  async startSignIn(accountId: string, now = Date.now()): Promise<PasskeyChallenge> {
    const passkeys = await this.store.list(accountId);
    const options = await generateAuthenticationOptions({
      rpID: this.rpID,
      allowCredentials: passkeys.map((r) => ({ id: r.credentialId, transports: transportsOf(r) })),
      userVerification: "preferred",
    });
    const token = crypto.randomBytes(32).toString("base64url");
    await this.store.putChallenge({ idHash: sha256(token), accountId, purpose: "signin", challenge: options.challenge, expiresAt: now + CHALLENGE_TTL_MS });
    return { token, options };
  }

  /**
   * Takes the pending sign-in (once) and returns its account with a `check` that verifies the
   * response; the caller runs `check` under the brute-force guard. PasskeyExpiredError when the
   * token is unknown, used or expired.
   */
  async pendingSignIn(token: string | undefined, response: AuthenticationResponseJSON, now = Date.now()): Promise<{ accountId: string; check: () => Promise<boolean> }> {
    if (!token || token.length > 100) throw new PasskeyExpiredError();
    const challenge = await this.store.takeChallenge(sha256(token), "signin", now);
    if (!challenge) throw new PasskeyExpiredError();
    return { accountId: challenge.accountId, check: () => this.verify(challenge.accountId, challenge.challenge, response, now) };
  }

  private async verify(accountId: string, expectedChallenge: string, response: AuthenticationResponseJSON, now: number): Promise<boolean> {
    const row = await this.store.byCredentialId(response.id);
    if (!row || row.accountId !== accountId) return false;
    try {
      const { verified, authenticationInfo } = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        credential: { id: row.credentialId, publicKey: Buffer.from(row.publicKey, "base64url"), counter: row.counter, transports: transportsOf(row) },
        requireUserVerification: false,
      });
      if (!verified) return false;
      await this.store.update(accountId, row.id, { counter: authenticationInfo.newCounter, lastUsedAt: now });
      return true;
    } catch {
      // A cloned authenticator (counter went back), a wrong origin or signature: a failed attempt.
      return false;
    }
  }

  deleteAccount(accountId: string): Promise<void> {
    return this.store.deleteAccount(accountId);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purge(now);
  }

  private tooMany(): AppError {
    return new ValidationError(`An account can have at most ${this.maxPerAccount} passkeys. Remove one first.`, { passkey: `at most ${this.maxPerAccount}` });
  }
}
