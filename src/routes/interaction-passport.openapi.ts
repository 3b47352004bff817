// OpenAPI words for src/routes/interaction-passport.ts: the consent page's script talks to these
// during an authorization (uid is oidc-provider's interaction id, bound to the browser's cookies).
import { z } from "zod";
import { COMMON_ERRORS, SESSION, SESSION_CSRF, fails, json, jsonBody, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";
import { shareBody } from "./interaction-passport.js";

const tags = ["Consent"];
const uid = z.object({ uid: z.string().describe("the interaction's id, from the consent page's address") });
const errors = {
  400: fails("The interaction expired or was used (`interaction_expired`), does not ask for documents, or the body is malformed (`invalid_request`)."),
  403: fails("Another holder is signed in (`forbidden`), or the holder's recovery key is not confirmed yet (`recovery_key_unconfirmed`)."),
  409: fails("The client has no usable encryption key (`client_key_missing`)."),
};

export const passportInteractionDocs: Operation[] = [
  {
    method: "get",
    path: "/interaction/{uid}/passport",
    tags,
    summary: "What a Passport consent asks for",
    description: "The client, the requested documents and options, and the client's encryption key, for the page to compose and seal the payload in the browser.",
    security: SESSION,
    request: { params: uid },
    responses: { 200: json(out.consentData, "The request."), ...errors },
  },
  {
    method: "post",
    path: "/interaction/{uid}/share",
    tags,
    summary: "Answer a Passport consent with the sealed payload",
    security: SESSION_CSRF,
    request: { params: uid, body: jsonBody(shareBody) },
    responses: {
      200: json(out.shareAnswer, "Consent recorded: follow `redirect`."),
      ...COMMON_ERRORS,
      ...errors,
      403: fails("Another holder is signed in (`forbidden`), the holder's recovery key is not confirmed yet (`recovery_key_unconfirmed`), or the CSRF header is wrong (`csrf`)."),
    },
  },
];
