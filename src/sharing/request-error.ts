/** A request Passport cannot answer; the message is the OAuth error_description (invalid_request). */
export class ShareRequestError extends Error {}
