// Scopes, the claims they release, and the account lookup oidc-provider calls. Passport scopes
// (documents) arrive with the sharing issue; they will be added here.
import type { Account as OidcAccount } from "oidc-provider";
import type { AccountService } from "../services/accounts.js";
import { isPassportScope, PASSPORT_SCOPES, PASSPORT_SCOPE_DESCRIPTIONS } from "../sharing/scopes.js";

export const SCOPES = ["openid", "offline_access", "email", ...PASSPORT_SCOPES];

/** Every Passport scope releases the `passport` claim: the sealed payload, at userinfo only. */
export const CLAIMS: Record<string, string[]> = {
  openid: ["sub"],
  email: ["email", "email_verified"],
  ...Object.fromEntries(PASSPORT_SCOPES.map((s) => [s, ["passport"]])),
};

/** Plain words for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "Know who you are (a private identifier for this service)",
  email: "See your email address",
  offline_access: "Stay connected while you are away (refresh tokens)",
  ...PASSPORT_SCOPE_DESCRIPTIONS,
};

export async function findAccount(accounts: AccountService, sub: string, passport: () => Promise<string | undefined>, cacheMs = 0): Promise<OidcAccount | undefined> {
  const account = await accounts.forClaims(sub, cacheMs);
  if (!account) return undefined;
  return {
    accountId: account.id,
    claims: async (use, scope) => {
      // The account email is the sign-in name, not a verified claim (the vault's email item is).
      const claims: Record<string, unknown> = { sub: account.id, email: account.email, email_verified: false };
      if (use === "userinfo" && scope.split(" ").some(isPassportScope)) {
        const jwe = await passport();
        if (jwe) claims.passport = jwe;
      }
      return claims as { sub: string };
    },
  };
}
