// Builds the OpenAPI 3.1 description of Passport's own JSON API from the route-adjacent
// descriptions (src/docs-api/operations.ts) with @asteasolutions/zod-to-openapi: request schemas
// are the zod schemas the routes validate with, response schemas are src/docs-api/responses.ts.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { OPERATIONS } from "./operations.js";

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

const DESCRIPTION = `Passport's own JSON API: the account and vault API behind its pages, connected apps, the consent page's calls, and the endpoints for relying parties' servers (shared files and error reports).

OpenID Connect itself (authorization, token, userinfo, registration, JWKS, …) is oidc-provider's and is described by discovery: \`/.well-known/openid-configuration\`.

Calls made by Passport's pages authenticate with the session cookie \`passport.sid\`; every POST, PUT and DELETE of theirs also sends the CSRF token (the page's \`<meta name="csrf-token">\`) in \`x-csrf-token\`. Errors are RFC 9457 problem documents (\`application/problem+json\`): always under \`/api/\` and \`/passport/\`, elsewhere when the request asks for JSON (\`accept: application/json\` or a JSON body), as the pages' scripts do.`;

export function buildOpenApi(issuer: string, version: string): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: "passport.sid", description: "The Passport session, set by sign-up, sign-in and recovery." });
  registry.registerComponent("securitySchemes", "csrf", { type: "apiKey", in: "header", name: "x-csrf-token", description: "The CSRF token of the page (double-submit with the `passport.csrf` cookie)." });
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "An access token issued to the relying party." });
  registry.registerComponent("securitySchemes", "clientSecretBasic", { type: "http", scheme: "basic", description: "client_secret_basic, as at the token endpoint." });
  for (const op of OPERATIONS) registry.registerPath(op);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Passport API", version, description: DESCRIPTION },
    servers: [{ url: issuer }],
    externalDocs: { description: "Integrate Sign in with Passport", url: `${issuer}/docs/integrate` },
  });
}
