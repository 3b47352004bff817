// Self-contained token values: oidc-provider's payload under an HMAC of a server secret, with a
// version prefix that names the kind (signed-client-tokens.ts, signed-grant-tokens.ts). The
// prefix is part of what the HMAC covers, so one secret serves every kind: a value signed as one
// kind never opens as another. oidc-provider's own ids use only [A-Za-z0-9_-], so no stored
// token looks signed.
import crypto from "node:crypto";

/** Far above any real token (a few hundred characters); longer input is refused before any work. */
const MAX_LENGTH = 4096;
/** Values whose HMAC was checked, kept per signer by default: a token presented again and again (userinfo, introspection) is checked once. */
const KEPT_OPENED = 10_000;

/** What comes before the HMAC (see the constructor). */
const SEPARATOR = "~";
/** Every prefix a signed value may carry; other kinds' lookups skip the database for such a value. */
const PREFIXES = ["pcc1.", "pat1.", "prt1."] as const;
export type SignedPrefix = (typeof PREFIXES)[number];

/** Is this a signed value of any kind (never a stored token's id)? */
export function isSignedToken(value: string): boolean {
  return PREFIXES.some((p) => value.startsWith(p));
}

/** What a token carries: oidc-provider's payload and the issuing time in milliseconds. */
export interface SignedBody {
  payload: Record<string, unknown> & { jti: string; clientId: string; exp: number };
  issuedAt: number;
}

export class TokenSigner {
  private readonly secret: crypto.KeyObject;
  /**
   * Bodies of values that opened, by value, oldest first. What a value says never changes, so
   * keeping it only saves the HMAC and the parse (a third of a userinfo request's own work);
   * whether the token may still be used is asked at every use by the caller. Only values this
   * secret signed get in: guessing fills nothing.
   */
  private readonly opened = new Map<string, SignedBody>();

  /**
   * "~" comes before the HMAC (allowed in a bearer token, RFC 6750). A value with three
   * dot-separated parts looks like a JWT to oidc-provider's introspection and revocation, which
   * then try to decode its header and throw: 35 µs a request. `formerSeparator`: what values
   * issued before used instead (client-credentials tokens had "."); they open until they expire.
   */
  constructor(
    secret: string,
    private readonly prefix: SignedPrefix,
    private readonly formerSeparator?: ".",
    /** How many opened values to keep (a kind used once per value needs only those of the requests in flight). */
    private readonly kept = KEPT_OPENED,
  ) {
    const bytes = Buffer.from(secret, "base64url");
    if (bytes.length < 32) throw new Error("the token secret must have at least 32 bytes");
    this.secret = crypto.createSecretKey(bytes);
  }

  /** Was this value made by a signer of this signer's kind (not necessarily valid)? */
  owns(value: string): boolean {
    return value.startsWith(this.prefix);
  }

  /** The signed value, or undefined when it would be too long to open (a very large claims request): the caller stores that token instead. */
  sign(body: SignedBody): string | undefined {
    const signed = `${this.prefix}${Buffer.from(JSON.stringify({ p: body.payload, t: body.issuedAt })).toString("base64url")}`;
    const value = `${signed}${SEPARATOR}${this.mac(signed).toString("base64url")}`;
    return value.length <= MAX_LENGTH ? value : undefined;
  }

  /**
   * The body, or undefined for anything this secret did not sign as this kind (altered, another
   * server's, malformed). The body is frozen: it may be handed out again.
   */
  open(value: string): SignedBody | undefined {
    const kept = this.opened.get(value);
    if (kept) return kept;
    const checked = this.check(value);
    if (!checked) return undefined;
    const body = Object.freeze({ payload: Object.freeze(checked.payload), issuedAt: checked.issuedAt });
    if (this.opened.size >= this.kept) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(value, body);
    return body;
  }

  private check(value: string): SignedBody | undefined {
    if (value.length > MAX_LENGTH || !this.owns(value)) return undefined;
    // Neither separator is in base64url: the last one ends the payload.
    const dot = Math.max(value.lastIndexOf(SEPARATOR), this.formerSeparator ? value.lastIndexOf(this.formerSeparator) : -1);
    if (dot < this.prefix.length) return undefined;
    // Compared as text, so that each token has one spelling (base64url decoding would skip stray characters).
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(value.slice(0, dot)).toString("base64url"));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const { p, t } = JSON.parse(Buffer.from(value.slice(this.prefix.length, dot), "base64url").toString("utf8")) as { p?: SignedBody["payload"]; t?: number };
      const valid = p && typeof p.jti === "string" && typeof p.clientId === "string" && typeof p.exp === "number" && typeof t === "number";
      return valid ? { payload: p, issuedAt: t } : undefined;
    } catch {
      return undefined; // signed by us, so never reached unless the secret leaked: refused all the same
    }
  }

  private mac(signed: string): Buffer {
    return crypto.createHmac("sha256", this.secret).update(signed).digest();
  }
}
