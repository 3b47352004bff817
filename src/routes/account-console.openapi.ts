// OpenAPI words for the JSON half of src/routes/account-console.ts and the passkey step of sign-in
// (src/routes/account-api.ts). The account page itself and its session and passkey forms are HTML.
import { CSRF, CSRF_ERRORS, SESSION_CSRF, SIGNED_IN_ERRORS, COMMON_ERRORS, fails, json, jsonBody, noContent, type Operation } from "../docs-api/describe.js";
import * as out from "../docs-api/responses.js";
import { changeEmailBody, emailCodeBody, passkeyRegisterBody, passkeySignInBody } from "./schemas.js";

const tags = ["Account"];

export const accountConsoleDocs: Operation[] = [
  {
    method: "post",
    path: "/api/session/passkey",
    tags,
    summary: "Sign in: the passkey step",
    description:
      "After /api/session answered `secondFactor: passkey`: the browser's answer to that challenge. The pending sign-in is used once, right or wrong; a wrong passkey counts as a failed sign-in. The vault key still comes from the password.",
    security: CSRF,
    request: { body: jsonBody(passkeySignInBody) },
    responses: {
      200: json(out.signedInAnswer, "Signed in: the session cookie is set."),
      ...COMMON_ERRORS,
      400: fails("The body is malformed, or the pending sign-in expired or was used (`passkey_expired`): enter the password again."),
      401: fails("The passkey was not accepted (`invalid_passkey`)."),
      ...CSRF_ERRORS,
      429: fails("Too many failed attempts (`too_many_attempts`)."),
    },
  },
  {
    method: "post",
    path: "/api/account/email/code",
    tags,
    summary: "Send a code to a new email address",
    description: "The first step of changing the sign-in email. Counted under the email-code limits (EMAIL_CODE_SENDS_PER_HOUR per account and address, EMAIL_CODE_SENDS_PER_IP_PER_HOUR).",
    security: SESSION_CSRF,
    request: { body: jsonBody(emailCodeBody) },
    responses: {
      204: noContent("The code was sent."),
      ...SIGNED_IN_ERRORS,
      ...CSRF_ERRORS,
      409: fails("Another account has this email (`conflict`)."),
      429: fails("Too many codes asked for (`too_many_attempts`)."),
    },
  },
  {
    method: "post",
    path: "/api/account/email",
    tags,
    summary: "Change the sign-in email",
    description: "With the code sent to the new address and the current password's authKey. The old address is told. The vault is untouched: the key derivation does not depend on the email.",
    security: SESSION_CSRF,
    request: { body: jsonBody(changeEmailBody) },
    responses: {
      200: json(out.emailChangedAnswer, "The account signs in with the new email from now on."),
      ...SIGNED_IN_ERRORS,
      400: fails("A field is malformed, the password is wrong (`fields.currentPassword`) or the code is wrong, expired or used up (`fields.code`)."),
      ...CSRF_ERRORS,
      409: fails("Another account took this email meanwhile (`conflict`)."),
      429: fails("Too many wrong passwords (`too_many_attempts`)."),
    },
  },
  {
    method: "post",
    path: "/api/account/passkeys/options",
    tags,
    summary: "Start adding a passkey",
    description: "Registration options for the browser; a newer request replaces an older one.",
    security: SESSION_CSRF,
    responses: {
      200: json(out.passkeyRegistrationOptions, "The options, with a one-time challenge valid for 5 minutes."),
      400: fails("The account has PASSKEYS_PER_ACCOUNT passkeys already (`invalid_request`)."),
      401: fails("Not signed in (`unauthorized`)."),
      ...CSRF_ERRORS,
    },
  },
  {
    method: "post",
    path: "/api/account/passkeys",
    tags,
    summary: "Add a passkey",
    description: "The browser's answer to the registration options, with a name for the holder to recognise it.",
    security: SESSION_CSRF,
    request: { body: jsonBody(passkeyRegisterBody) },
    responses: {
      201: json(out.passkeyAnswer, "The passkey was added: sign-ins ask for it after the password."),
      ...SIGNED_IN_ERRORS,
      400: fails("A field is malformed, the challenge expired, the answer could not be verified, or the account has enough passkeys (`fields.passkey`)."),
      ...CSRF_ERRORS,
      409: fails("This passkey is registered already (`conflict`)."),
    },
  },
];
