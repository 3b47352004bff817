// Scopes, the claims they release, and the account lookup oidc-provider calls. Passport scopes
// (documents) arrive with the sharing issue; they will be added here.
import type { Account as OidcAccount } from "oidc-provider";
import type { AccountService } from "../services/accounts.js";

export const SCOPES = ["openid", "offline_access", "email"];

export const CLAIMS = {
  openid: ["sub"],
  email: ["email", "email_verified"],
};

/** Plain words for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "Know who you are (a private identifier for this service)",
  email: "See your email address",
  offline_access: "Stay connected while you are away (refresh tokens)",
};

export async function findAccount(accounts: AccountService, sub: string): Promise<OidcAccount | undefined> {
  const account = await accounts.get(sub);
  if (!account) return undefined;
  return {
    accountId: account.id,
    // Email ownership is proven by the vault's email item later; until then it is unverified.
    claims: () => ({ sub: account.id, email: account.email, email_verified: false }),
  };
}
