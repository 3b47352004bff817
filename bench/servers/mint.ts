// Mints tokens straight through oidc-provider's models, the same way on both servers: one Grant
// per token (as one holder's consent would make), then the token bound to it. Running a full
// sign-in per refresh token would make setting up the refresh benchmark slower than the benchmark.
import type Provider from "oidc-provider";
import type { MintRequest } from "../fixtures.js";

export async function mintTokens(provider: Provider, r: MintRequest): Promise<string[]> {
  const client = await provider.Client.find(r.clientId);
  if (!client) throw new Error(`no client ${r.clientId}`);
  const out: string[] = [];
  for (let i = 0; i < r.count; i++) {
    const grant = new provider.Grant({ accountId: r.accountId, clientId: r.clientId });
    grant.addOIDCScope(r.scope);
    const grantId = await grant.save();
    const fields = { client, accountId: r.accountId, grantId, scope: r.scope, gty: "authorization_code" };
    const token =
      r.kind === "refresh"
        ? new provider.RefreshToken({ ...fields, authTime: Math.floor(Date.now() / 1000) })
        : new provider.AccessToken(fields);
    out.push(await token.save());
  }
  return out;
}
