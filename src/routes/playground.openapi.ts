// OpenAPI words for the JSON route of src/routes/playground.ts (served when PLAYGROUND is on).
import { CSRF, CSRF_ERRORS, COMMON_ERRORS, fails, json, jsonBody, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";
import { playgroundRegistration } from "../services/playground.js";

export const playgroundDocs: Operation[] = [
  {
    method: "post",
    path: "/playground/clients",
    tags: ["Playground"],
    summary: "Register a short-lived playground client",
    description: "A public client for the public key the visitor's browser made; it expires after an hour. Served only when PLAYGROUND is on.",
    security: CSRF,
    request: { body: jsonBody(playgroundRegistration) },
    responses: {
      201: json(out.playgroundClient, "The client is registered."),
      ...COMMON_ERRORS,
      ...CSRF_ERRORS,
      429: fails("Too many playground clients from this address or in all (`too_many_attempts`)."),
    },
  },
];
