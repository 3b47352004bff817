// Quick-start snippets for one client, filled in with its own values (issuer, client id, redirect
// URI, scopes, authentication method): openid-client 6 (Node), Authlib (Python, Flask) and
// Apache's mod_auth_openidc. Secrets are never written into a snippet: each reads it from the
// environment. test/developers/quickstart.test.ts runs the openid-client snippet against a server.
import type { ClientView } from "../services/clients.js";
import { isPassportScope } from "../sharing/scopes.js";

export interface Snippet {
  id: "openid-client" | "authlib" | "mod-auth-openidc";
  title: string;
  install: string;
  code: string;
}

export interface QuickStartValues {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  authMethod: string;
  passport: boolean;
  /** The JWE algorithm of the client's encryption key, for the SDK step. */
  encAlg: string;
  insecure: boolean;
  /** What openid-client must know to check signed answers (the client's registered algorithms). */
  metadata: Record<string, string>;
  /** The content encryption of encrypted ID tokens / userinfo, when the client registered them. */
  encryptedResponses: string[];
}

const PLACEHOLDER_REDIRECT = "https://app.example/callback";

/** The values a snippet needs; the playground's callback is not the app's own redirect URI. */
export function quickStartValues(issuer: string, playgroundRedirect: string, c: ClientView): QuickStartValues {
  const own = c.input.redirectUris.filter((u) => u !== playgroundRedirect);
  const scopes = c.input.scopes.includes("openid") ? c.input.scopes : ["openid", ...c.input.scopes];
  const rsa = c.input.jwks?.keys.some((k) => k.use !== "sig" && k.kty === "RSA" && (!k.alg || k.alg.startsWith("RSA-OAEP")));
  return {
    issuer,
    clientId: c.clientId,
    redirectUri: own[0] ?? c.input.redirectUris[0] ?? PLACEHOLDER_REDIRECT,
    // Refresh tokens are asked for separately (offline_access needs prompt=consent); left out here.
    scope: scopes.filter((s) => s !== "offline_access").join(" "),
    authMethod: c.input.tokenEndpointAuthMethod,
    passport: scopes.some(isPassportScope),
    encAlg: rsa ? "RSA-OAEP-256" : "ECDH-ES+A256KW",
    insecure: issuer.startsWith("http:"),
    metadata: {
      ...(c.input.idTokenSignedResponseAlg ? { id_token_signed_response_alg: c.input.idTokenSignedResponseAlg } : {}),
      ...(c.input.userinfoSignedResponseAlg ? { userinfo_signed_response_alg: c.input.userinfoSignedResponseAlg } : {}),
    },
    encryptedResponses: [
      ...new Set([
        ...(c.input.idTokenEncryptedResponseAlg ? [c.input.idTokenEncryptedResponseEnc ?? "A256GCM"] : []),
        ...(c.input.userinfoEncryptedResponseAlg ? [c.input.userinfoEncryptedResponseEnc ?? "A256GCM"] : []),
      ]),
    ],
  };
}

const js = (s: string) => JSON.stringify(s);

function nodeAuth(method: string): string {
  switch (method) {
    case "none":
      return "client.None()";
    case "client_secret_post":
      return "client.ClientSecretPost(process.env.PASSPORT_CLIENT_SECRET)";
    case "private_key_jwt":
      return "client.PrivateKeyJwt({ key: await importJWK(signingJwk), kid: signingJwk.kid })";
    default:
      return "client.ClientSecretBasic(process.env.PASSPORT_CLIENT_SECRET)";
  }
}

export function openidClientSnippet(v: QuickStartValues): string {
  const jwt = v.authMethod === "private_key_jwt";
  const needsKey = v.passport || v.encryptedResponses.length > 0;
  const metadata = Object.keys(v.metadata).length ? JSON.stringify(v.metadata).replace(/"(\w+)":/g, "$1: ").replace(/,/g, ", ") : "undefined";
  const lines = [
    `import * as client from "openid-client";`,
    ...(needsKey || jwt ? [`import { importJWK } from "jose";`] : []),
    ...(v.passport ? [`import { openPassport } from "passport-sdk"; // npm install ${v.issuer}/sdk/passport-sdk.tgz`] : []),
    ``,
    `const issuer = ${js(v.issuer)};`,
    `const clientId = ${js(v.clientId)};`,
    `const redirectUri = ${js(v.redirectUri)};`,
    `const scope = ${js(v.scope)};`,
    ...(jwt ? [`// The private half (a JWK with "kid" and "alg") of the signing key you registered.`, `const signingJwk = JSON.parse(process.env.PASSPORT_SIGNING_JWK);`] : []),
    ``,
    ...(v.insecure ? [`// An http issuer: allowInsecureRequests is for local development only; leave it out for https.`] : []),
    `const config = await client.discovery(new URL(issuer), clientId, ${metadata}, ${nodeAuth(v.authMethod)}${v.insecure ? ", {\n  execute: [client.allowInsecureRequests],\n}" : ""});`,
    ...(needsKey ? [`// Your encryption key's private half (a JWK), kept on your server.`, `const encryptionKey = await importJWK(JSON.parse(process.env.PASSPORT_ENCRYPTION_JWK), ${js(v.encAlg)});`] : []),
    ...(v.encryptedResponses.length ? [`client.enableDecryptingResponses(config, ${JSON.stringify(v.encryptedResponses)}, encryptionKey);`] : []),
    ``,
    `/** Step 1: keep \`saved\` in the user's session, then redirect the browser to \`url\`. */`,
    `export async function startSignIn() {`,
    `  const saved = { codeVerifier: client.randomPKCECodeVerifier(), nonce: client.randomNonce(), state: client.randomState() };`,
    `  const url = client.buildAuthorizationUrl(config, {`,
    `    redirect_uri: redirectUri,`,
    `    scope,`,
    `    code_challenge: await client.calculatePKCECodeChallenge(saved.codeVerifier),`,
    `    code_challenge_method: "S256",`,
    `    nonce: saved.nonce,`,
    `    state: saved.state,`,
    `  });`,
    `  return { url: url.href, saved };`,
    `}`,
    ``,
    `/** Step 2, at the redirect URI: the full URL Passport sent the browser to, and what step 1 saved. */`,
    `export async function finishSignIn(callbackUrl, saved) {`,
    `  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {`,
    `    pkceCodeVerifier: saved.codeVerifier,`,
    `    expectedNonce: saved.nonce,`,
    `    expectedState: saved.state,`,
    `  });`,
    `  const claims = tokens.claims();`,
    `  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);`,
    ...(v.passport
      ? [
          `  // The documents: a JWE sealed to your key, checked for issuer, audience, nonce, subject and age.`,
          `  const passport = userinfo.passport ? await openPassport(userinfo, encryptionKey, { issuer, clientId, nonce: saved.nonce, sub: claims.sub }) : null;`,
          `  return { claims, userinfo, passport, accessToken: tokens.access_token };`,
        ]
      : [`  return { claims, userinfo, accessToken: tokens.access_token };`]),
    `}`,
  ];
  return lines.join("\n");
}

function authlibAuth(method: string): string {
  if (method === "none") return `    client_secret=None,\n`;
  if (method === "private_key_jwt") return `    # private_key_jwt: see Authlib's PrivateKeyJWT (authlib.integrations.requests_client)\n`;
  return `    client_secret=os.environ["PASSPORT_CLIENT_SECRET"],\n`;
}

export function authlibSnippet(v: QuickStartValues): string {
  const path = new URL(v.redirectUri).pathname;
  return (
    `import os\n` +
    `from flask import Flask, session, url_for\n` +
    `from authlib.integrations.flask_client import OAuth\n` +
    (v.insecure ? `\nos.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # http issuer: for local development only\n` : "") +
    `\napp = Flask(__name__)\n` +
    `app.secret_key = os.environ["FLASK_SECRET_KEY"]  # Authlib keeps state, nonce and the PKCE verifier in the session\n` +
    `oauth = OAuth(app)\n` +
    `oauth.register(\n` +
    `    name="passport",\n` +
    `    server_metadata_url=${js(`${v.issuer}/.well-known/openid-configuration`)},\n` +
    `    client_id=${js(v.clientId)},\n` +
    authlibAuth(v.authMethod) +
    `    client_kwargs={\n` +
    `        "scope": ${js(v.scope)},\n` +
    `        "code_challenge_method": "S256",\n` +
    `        "token_endpoint_auth_method": ${js(v.authMethod)},\n` +
    `    },\n` +
    `)\n\n` +
    `@app.route("/login")\n` +
    `def login():\n` +
    `    return oauth.passport.authorize_redirect(${js(v.redirectUri)})\n\n` +
    `@app.route(${js(path)})\n` +
    `def callback():\n` +
    `    token = oauth.passport.authorize_access_token()  # checks state, nonce and the ID token\n` +
    `    userinfo = oauth.passport.userinfo(token=token)\n` +
    (v.passport ? `    # userinfo.get("passport") is a JWE sealed to your key: open it and check iss, aud, nonce, sub\n    # and iat as the integration guide says (authlib.jose JsonWebEncryption, ${v.encAlg}).\n` : "") +
    `    session["user"] = {"sub": userinfo["sub"]}\n` +
    `    return "Signed in as " + userinfo["sub"]\n`
  );
}

export function modAuthOpenidcSnippet(v: QuickStartValues): string {
  // Apache allows no comment after a directive on the same line: every comment has its own.
  const secret = v.authMethod === "none" || v.authMethod === "private_key_jwt" ? "" : `# The secret, from Apache's environment (e.g. export it in /etc/apache2/envvars).\nOIDCClientSecret \${PASSPORT_CLIENT_SECRET}\n`;
  const key = v.authMethod === "private_key_jwt" ? `# The private half of your registered signing key (PEM).\nOIDCPrivateKeyFiles /etc/apache2/passport-signing-key.pem\n` : "";
  return (
    `# Debian/Ubuntu: a2enmod auth_openidc\n` +
    `OIDCProviderMetadataURL ${v.issuer}/.well-known/openid-configuration\n` +
    `OIDCClientID ${v.clientId}\n` +
    secret +
    key +
    `OIDCProviderTokenEndpointAuth ${v.authMethod}\n` +
    `# A path inside the protected location, handled by the module itself (your registered redirect URI).\n` +
    `OIDCRedirectURI ${v.redirectUri}\n` +
    `OIDCScope "${v.scope}"\n` +
    `OIDCPKCEMethod S256\n` +
    `# A long random string, for the module's own cookies.\n` +
    `OIDCCryptoPassphrase \${OIDC_CRYPTO_PASSPHRASE}\n` +
    (v.passport ? `# The passport claim reaches your app as the header OIDC_CLAIM_passport: a JWE sealed to your key.\n` : "") +
    `\n<Location />\n` +
    `  AuthType openid-connect\n` +
    `  Require valid-user\n` +
    `</Location>\n`
  );
}

export function quickStarts(v: QuickStartValues): Snippet[] {
  return [
    { id: "openid-client", title: "Node.js: openid-client 6", install: `npm install openid-client${v.passport ? ` jose ${v.issuer}/sdk/passport-sdk.tgz` : ""}`, code: openidClientSnippet(v) },
    { id: "authlib", title: "Python: Authlib with Flask", install: "pip install Authlib Flask requests", code: authlibSnippet(v) },
    { id: "mod-auth-openidc", title: "Apache: mod_auth_openidc", install: "apt-get install libapache2-mod-auth-openidc", code: modAuthOpenidcSnippet(v) },
  ];
}

/** Authentication methods the playground's "use my own client" mode can use from the browser. */
export const PLAYGROUND_AUTH = ["client_secret_basic", "client_secret_post", "none"] as const;

export interface TryLink {
  href: string | null;
  /** What to change before the playground can run this client; empty when it can. */
  missing: string[];
}

/** The playground run with this client's settings (/playground prefills its "use my own client" form). */
export function tryLink(c: ClientView, playgroundRedirect: string): TryLink {
  const missing: string[] = [];
  if (!c.enabled) missing.push("enable the client");
  if (!c.input.grantTypes.includes("authorization_code")) missing.push("allow the authorization_code grant type");
  if (!c.input.redirectUris.includes(playgroundRedirect)) missing.push(`add ${playgroundRedirect} to its redirect URIs`);
  if (!(PLAYGROUND_AUTH as readonly string[]).includes(c.input.tokenEndpointAuthMethod)) {
    missing.push(`the playground cannot sign with ${c.input.tokenEndpointAuthMethod}: it sends a client secret (basic or post) or none`);
  }
  if (missing.length) return { href: null, missing };
  const q = new URLSearchParams({ client_id: c.clientId, auth: c.input.tokenEndpointAuthMethod });
  // Plain OpenID scopes only: the playground holds no key that opens a payload sealed to this client.
  for (const s of c.input.scopes) if (s === "email") q.append("scope", s);
  return { href: `/playground?${q}`, missing };
}
