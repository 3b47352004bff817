// Reading the self-contained tokens (src/oidc/token-signer.ts) the way a client could: the
// payload is base64url JSON between the prefix and the HMAC.

export type SignedPayload = { jti: string; clientId: string; exp: number; iat: number; grantId: string } & Record<string, unknown>;

/** The prefix, the payload part and the HMAC of a signed value (`~` before the HMAC; `.` in `pcc1.` values of the former form). */
export function signedParts(token: string): { prefix: string; payload: string; mac: string } {
  const prefix = token.slice(0, 5);
  const rest = token.slice(5);
  const at = Math.max(rest.lastIndexOf("~"), rest.lastIndexOf("."));
  return { prefix, payload: rest.slice(0, at), mac: rest.slice(at + 1) };
}

/** What a signed token says: oidc-provider's payload `p` and the issuing time `t` (ms). */
export function signedBody(token: string): { p: SignedPayload; t: number } {
  return JSON.parse(Buffer.from(signedParts(token).payload, "base64url").toString("utf8")) as { p: SignedPayload; t: number };
}
