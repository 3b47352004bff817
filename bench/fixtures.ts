// What both servers are set up with: the same two clients (same ids, same metadata), the same
// account id and the same scopes, so the only differences left are the ones being measured.
import type { JWK } from "jose";
import type { ClientInput, ClientInputRaw } from "../src/services/client-schema.js";

/** Nothing listens here: the simulated browser stops at the redirect and reads the code. */
export const REDIRECT_URI = "http://127.0.0.1:9/cb";
export const RP_ID = "bench-rp";
export const JWE_RP_ID = "bench-jwe-rp";
/** Scope of sign-in flows and minted refresh tokens. */
export const FLOW_SCOPE = "openid email offline_access";
/** Scope of minted access tokens (userinfo and introspection). */
export const ACCESS_SCOPE = "openid email";

export function clientInputs(jwePublicJwk: JWK): { clientId: string; input: ClientInputRaw }[] {
  const common = {
    redirectUris: [REDIRECT_URI],
    type: "confidential" as const,
    tokenEndpointAuthMethod: "client_secret_basic",
    grantTypes: ["authorization_code", "refresh_token", "client_credentials"] as ("authorization_code" | "refresh_token" | "client_credentials")[],
    scopes: ["openid", "email", "offline_access"],
    // Passport's default; named explicitly so the bare provider's client is identical.
    subjectType: "pairwise" as const,
  };
  return [
    { clientId: RP_ID, input: { name: "Bench RP", ...common } },
    {
      clientId: JWE_RP_ID,
      input: {
        name: "Bench RP (encrypted userinfo)",
        ...common,
        jwks: { keys: [jwePublicJwk as never] },
        userinfoSignedResponseAlg: "RS256",
        userinfoEncryptedResponseAlg: "ECDH-ES+A256KW",
        userinfoEncryptedResponseEnc: "A256GCM",
      },
    },
  ];
}

/**
 * The bare provider's built-in adapter keeps at most 1,000 (+1,000 stale) entries; the refresh
 * benchmark needs thousands of pre-minted tokens to survive, so the same adapter class gets a
 * larger LRU.
 */
export const BARE_STORE_ENTRIES = 2_000_000;

export interface RegisteredClient {
  clientId: string;
  input: ClientInput;
  secret: string;
}

export interface BenchAccount {
  id: string;
  email: string;
  password: string;
}

/** What the Passport process hands back after setting itself up. */
export interface OursReady {
  url: string;
  signingKeys: JWK[];
  clients: RegisteredClient[];
  account: BenchAccount;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
}

export interface MintRequest {
  kind: "refresh" | "access";
  clientId: string;
  accountId: string;
  scope: string;
  count: number;
}
