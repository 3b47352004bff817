// Holds the live oidc-provider instance. oidc-provider fixes its keystore at construction, so when
// another process (or the CLI) rotates the signing keys we build a fresh provider and swap it in;
// all provider state lives in the database, so nothing is lost in the swap.
import type { RequestListener } from "node:http";
import type Koa from "koa";
import type Provider from "oidc-provider";
import type { Container } from "../container.js";
import type { Views } from "../routes/views.js";
import type { Logger } from "../logger.js";
import { PageRenderer } from "./pages.js";
import { createProvider, pairwiseSub } from "./provider.js";
import { prerender, type StaticAnswer } from "./static-answers.js";
import type { KeyRing } from "./keys.js";

/** The provider's secrets, made on first start and shared by every process through the database (sealed: keys.ts). */
export interface ProviderSecrets {
  cookieKeys: string[];
  pairwiseSalt: string;
  clientTokenSecret: string;
}

export async function loadProviderSecrets(keys: KeyRing): Promise<ProviderSecrets> {
  return {
    cookieKeys: [await keys.secret("cookie-key", "cookie")],
    pairwiseSalt: await keys.secret("pairwise-salt"),
    clientTokenSecret: await keys.secret("client-token-secret"),
  };
}

export class ProviderHost {
  private provider!: Provider;
  private callback!: RequestListener;
  private answers = new Map<string, StaticAnswer>();
  private version = "";

  constructor(
    private readonly c: Container,
    private readonly views: Views,
    private readonly secrets: ProviderSecrets,
    private readonly log?: Logger,
    /** Koa middleware run around every provider request (request metrics), on every rebuild. */
    private readonly middleware: Koa.Middleware[] = [],
  ) {}

  get current(): Provider {
    return this.provider;
  }

  async init(): Promise<void> {
    await this.c.keys.ensureSigningKeys();
    await this.build();
  }

  /** Rebuilds the provider if the signing keys changed since the last build. */
  async refresh(): Promise<boolean> {
    if ((await this.c.keys.signingVersion()) === this.version) return false;
    await this.build();
    return true;
  }

  /** The `sub` a client sees for an account (what oidc-provider puts in its tokens). */
  async subjectFor(clientId: string, accountId: string): Promise<string> {
    const client = await this.provider.Client.find(clientId);
    return client?.subjectType === "pairwise" ? pairwiseSub(this.secrets.pairwiseSalt, clientId, accountId) : accountId;
  }

  /** The current provider's own request listener (src/routes/dispatch.ts sends its paths here). */
  get handler(): RequestListener {
    return this.callback;
  }

  /** The current provider's answer to a GET of discovery or the JWKS, made once per build (static-answers.ts). */
  staticAnswer(path: string): StaticAnswer | undefined {
    return this.answers.get(path);
  }

  private async build(): Promise<void> {
    const { jwks, version } = await this.c.keys.signingKeys();
    const provider = createProvider({
      cfg: this.c.cfg,
      store: this.c.oidcStore,
      clients: this.c.clients,
      accounts: this.c.accounts,
      sessions: this.c.sessions,
      sharing: this.c.sharing,
      pages: new PageRenderer(this.views),
      signingKeys: jwks,
      ...this.secrets,
      jwksFetch: this.c.jwks.providerFetch,
      registration: this.c.registration,
      onServerError: (path, err) => this.log?.error("provider error", { path, error: `${err.name}: ${err.message}` }),
      onSignIn: (clientId) => this.c.clientActivity.countSignIn(clientId),
      onClientError: (clientId, error, description) => this.c.clientActivity.countFailure(clientId, error, description),
    });
    this.c.clients.setValidator(async (metadata) => {
      await provider.Client.validate(metadata as never);
    });
    // Before the request metrics are added: the prerendering requests are no one's.
    const answers = await prerender(provider.callback(), this.c.cfg.issuer);
    for (const m of this.middleware) provider.use(m);
    this.provider = provider;
    this.callback = provider.callback();
    this.answers = answers;
    this.version = version;
  }
}
