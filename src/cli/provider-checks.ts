// Client registrations made from the CLI pass oidc-provider's own client checks, exactly as on the
// admin page: the provider is built the way the server builds it, which hands ClientService its
// validator. Loaded only by the commands that register clients.
import type { Container } from "../container.js";

/** oidc-provider's notice about Node versions older than the LTS it prefers (the project supports Node >= 20.19). */
const RUNTIME_NOTICE = "oidc-provider WARNING: Unsupported runtime";

export async function useProviderClientChecks(c: Container): Promise<void> {
  await importQuietly();
  const { loadProviderSecrets, ProviderHost } = await import("../oidc/host.js");
  const { Views } = await import("../routes/views.js");
  const host = new ProviderHost(c, new Views(), await loadProviderSecrets(c.keys));
  await host.init();
}

/** Imports oidc-provider with its import-time runtime notice held back: on a CLI it would precede every answer. */
async function importQuietly(): Promise<void> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith(RUNTIME_NOTICE)) warn(...args);
  };
  try {
    await import("oidc-provider");
  } finally {
    console.warn = warn;
  }
}
