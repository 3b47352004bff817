// Ends oidc-provider's own session cookie when the holder signs out of Passport, so the next
// authorization request asks for a sign-in again (the login policy checks this too).
import type Koa from "koa";
import type Provider from "oidc-provider";

export const PROVIDER_SESSION_COOKIE = "_session";

export async function endProviderSession(ctx: Koa.Context, provider: Provider): Promise<void> {
  const id = ctx.cookies.get(PROVIDER_SESSION_COOKIE, { signed: true });
  if (id) {
    const session = await provider.Session.find(id);
    if (session) await session.destroy();
  }
  for (const name of [PROVIDER_SESSION_COOKIE, `${PROVIDER_SESSION_COOKIE}.legacy`]) ctx.cookies.set(name, null);
}
