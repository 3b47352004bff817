// OpenAPI words for src/routes/passport-api.ts (relying parties' servers; no cookies, no CSRF).
import { z } from "zod";
import { BEARER, CLIENT, COMMON_ERRORS, binary, fails, json, jsonBody, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";
import { errorsBody } from "./passport-api.js";

const tags = ["Relying parties"];
/** Client authentication in the body (client_secret_post, private_key_jwt), read before the report is parsed. */
const clientAuthFields = {
  client_id: z.string().optional().describe("client_secret_post"),
  client_secret: z.string().optional().describe("client_secret_post"),
  client_assertion_type: z.literal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer").optional().describe("private_key_jwt"),
  client_assertion: z.string().optional().describe("private_key_jwt: a JWT with this endpoint's URL as audience"),
};

export const passportApiDocs: Operation[] = [
  {
    method: "get",
    path: "/passport/files/{id}",
    tags,
    summary: "Download a shared scan",
    description: "With the access token of the share (`Authorization: Bearer`). The bytes are sealed for the client; open them with the file's key from the payload (see the integration guide).",
    security: BEARER,
    request: { params: z.object({ id: z.string().uuid() }) },
    responses: {
      200: binary("The sealed file."),
      400: fails("The id is not a file id (`invalid_request`)."),
      401: fails("The access token is missing, expired or revoked (`invalid_token`); `www-authenticate` says so too."),
      404: fails("This share has no such file (`not_found`)."),
      410: fails("The file's data is missing from storage (`blob_missing`)."),
    },
  },
  {
    method: "post",
    path: "/passport/errors",
    tags,
    summary: "Report errors in shared documents",
    description:
      "The client authenticates as at the token endpoint: client_secret_basic in the Authorization header, or client_secret_post or private_key_jwt (this endpoint's URL as audience) in the body and names the share by its access token. The holder sees each error on the document, with the client's name, until a new version.",
    security: CLIENT,
    request: { body: jsonBody(errorsBody.extend(clientAuthFields)) },
    responses: {
      200: json(out.reportedAnswer, "The errors were recorded."),
      ...COMMON_ERRORS,
      401: fails("Client authentication failed (`invalid_client`), or the access token is not one of this client's (`invalid_token`)."),
      403: fails("The token carries no shared documents (`forbidden`)."),
      404: fails("The holder has no such document any more (`not_found`)."),
      409: fails("The holder changed the document since it was shared (`conflict`)."),
    },
  },
];
