// OpenAPI words for the JSON half of src/routes/connected-apps.ts (the page is HTML).
import { z } from "zod";
import { CSRF_ERRORS, SESSION, SESSION_CSRF, fails, json, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";
import { clientIdParam } from "./connected-apps.js";

const tags = ["Connected apps"];

export const connectedAppsDocs: Operation[] = [
  {
    method: "get",
    path: "/api/connected",
    tags,
    summary: "Apps the holder shared with, and the share log",
    description: "What was shared with whom and when; never the content.",
    security: SESSION,
    responses: { 200: json(out.connectedAnswer, "Each connected app with its scopes and share log, and the full history."), 401: fails("Not signed in (`unauthorized`).") },
  },
  {
    method: "post",
    path: "/api/connected/{clientId}/revoke",
    tags,
    summary: "Disconnect an app",
    description: "Its tokens, the stored payload and its access to shared files end at once.",
    security: SESSION_CSRF,
    request: { params: z.object({ clientId: clientIdParam }) },
    responses: {
      200: json(out.revokedAnswer, "The grants revoked."),
      400: fails("The client id is malformed (`invalid_request`)."),
      401: fails("Not signed in (`unauthorized`)."),
      ...CSRF_ERRORS,
      404: fails("Nothing was shared with this app (`not_found`)."),
    },
  },
];
