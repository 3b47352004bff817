// The built-in test page's relying party: a client Passport registers for itself, with its own
// encryption key pair. It talks to Passport over HTTP with openid-client and opens the payload with
// the SDK, exactly as an outside relying party would; nothing here uses the server's internals.
import crypto from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import * as oidc from "openid-client";
import type { KeyRing } from "../oidc/keys.js";
import { openPassport, downloadScan, type PassportPayload } from "../sdk/index.js";
import { PASSPORT_SCOPES } from "../sharing/scopes.js";
import type { ClientService } from "./clients.js";

export const PLAYGROUND_CLIENT_ID = "passport-playground";

export interface PlaygroundRequest {
  scope: string;
  claims?: string;
}

export interface PlaygroundState {
  verifier: string;
  nonce: string;
  state: string;
}

export interface PlaygroundResult {
  userinfo: Record<string, unknown>;
  jwe: string | null;
  payload: PassportPayload | null;
  scans: { type: string; role: string; mime: string; dataUrl: string | null; size: number }[];
  error: string | null;
}

export class Playground {
  private config: oidc.Configuration | null = null;

  constructor(
    private readonly clients: ClientService,
    private readonly keys: KeyRing,
    private readonly issuer: string,
  ) {}

  get redirectUri(): string {
    return `${this.issuer}/playground/callback`;
  }

  /** Registers (or updates) the playground client; its key pair and secret are kept as server secrets. */
  async ensureClient(): Promise<void> {
    const jwk = await this.publicKey();
    const input = {
      name: "Passport playground",
      redirectUris: [this.redirectUri],
      type: "confidential" as const,
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: ["authorization_code" as const],
      scopes: ["openid", "email", ...PASSPORT_SCOPES],
      jwks: { keys: [jwk as never] },
      subjectType: "pairwise" as const,
    };
    const existing = await this.clients.get(PLAYGROUND_CLIENT_ID).catch(() => null);
    if (!existing) await this.clients.create(input, { clientId: PLAYGROUND_CLIENT_ID });
    else if (existing.input.redirectUris[0] !== this.redirectUri || JSON.stringify(existing.input.jwks) !== JSON.stringify(input.jwks)) {
      await this.clients.update(PLAYGROUND_CLIENT_ID, input);
    }
  }

  /** Where to send the browser, and what to remember for the callback. */
  async start(req: PlaygroundRequest): Promise<{ url: string; state: PlaygroundState }> {
    const config = await this.discover();
    const state: PlaygroundState = { verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce(), state: oidc.randomState() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: req.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(state.verifier),
      code_challenge_method: "S256",
      nonce: state.nonce,
      state: state.state,
      ...(req.claims ? { claims: req.claims } : {}),
    });
    return { url: url.toString(), state };
  }

  /** Redeems the code, reads userinfo, opens the payload and its scans. */
  async finish(callbackUrl: URL, st: PlaygroundState): Promise<PlaygroundResult> {
    const config = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: st.verifier, expectedNonce: st.nonce, expectedState: st.state, idTokenExpected: true });
    const sub = tokens.claims()!.sub;
    const userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, sub)) as Record<string, unknown>;
    const jwe = typeof userinfo.passport === "string" ? userinfo.passport : null;
    if (!jwe) return { userinfo, jwe: null, payload: null, scans: [], error: null };
    const privateKey = await importJWK(await this.privateKey(), "ECDH-ES+A256KW");
    const payload = await openPassport(jwe, privateKey, { issuer: this.issuer, clientId: PLAYGROUND_CLIENT_ID, nonce: st.nonce, sub });
    const scans: PlaygroundResult["scans"] = [];
    for (const [type, doc] of Object.entries(payload.data)) {
      for (const f of doc!.files) {
        const bytes = await downloadScan(this.issuer, tokens.access_token, f);
        const image = f.mime === "image/jpeg" || f.mime === "image/png";
        scans.push({ type, role: f.role, mime: f.mime, size: bytes.length, dataUrl: image ? `data:${f.mime};base64,${Buffer.from(bytes).toString("base64")}` : null });
      }
    }
    return { userinfo, jwe, payload, scans, error: null };
  }

  private async discover(): Promise<oidc.Configuration> {
    // The secret is re-read each time: an admin may have rotated it.
    const meta = await this.clients.findEnabledMetadata(PLAYGROUND_CLIENT_ID);
    if (!meta) throw new Error("the playground client is disabled");
    const secret = String(meta.client_secret);
    if (this.config && this.config.clientMetadata().client_secret === secret) return this.config;
    const insecure = this.issuer.startsWith("http:") ? { execute: [oidc.allowInsecureRequests] } : undefined;
    this.config = await oidc.discovery(new URL(this.issuer), PLAYGROUND_CLIENT_ID, { client_secret: secret }, undefined, insecure);
    return this.config;
  }

  private async keyPair(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
    const stored = await this.keys.secret("playground-enc-key", "secret", async () => {
      const { privateKey, publicKey } = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256", extractable: true });
      const kid = crypto.randomBytes(8).toString("base64url");
      return JSON.stringify({ privateJwk: { ...(await exportJWK(privateKey)), kid }, publicJwk: { ...(await exportJWK(publicKey)), kid, use: "enc", alg: "ECDH-ES+A256KW" } });
    });
    return JSON.parse(stored);
  }

  private async publicKey(): Promise<JWK> {
    return (await this.keyPair()).publicJwk;
  }

  private async privateKey(): Promise<JWK> {
    return (await this.keyPair()).privateJwk;
  }
}
