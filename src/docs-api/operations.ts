// Every described operation, gathered from the route-adjacent *.openapi.ts files. A new JSON route
// gets its words in the *.openapi.ts beside its router and its list added here;
// test/docs/openapi.test.ts fails until it is.
import { accountApiDocs } from "../routes/account-api.openapi.js";
import { accountConsoleDocs } from "../routes/account-console.openapi.js";
import { connectedAppsDocs } from "../routes/connected-apps.openapi.js";
import { passportInteractionDocs } from "../routes/interaction-passport.openapi.js";
import { passportApiDocs } from "../routes/passport-api.openapi.js";
import { playgroundDocs } from "../routes/playground.openapi.js";
import { vaultApiDocs } from "../routes/vault-api.openapi.js";
import { verifierApiDocs } from "../routes/verifier-api.openapi.js";
import type { Operation } from "./describe.js";

/** In the order the page shows them: relying parties first, then the API behind Passport's own pages. */
export const OPERATIONS: Operation[] = [...passportApiDocs, ...accountApiDocs, ...accountConsoleDocs, ...vaultApiDocs, ...connectedAppsDocs, ...passportInteractionDocs, ...playgroundDocs, ...verifierApiDocs];
