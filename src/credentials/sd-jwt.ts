/**
 * Reading an SD-JWT without trusting it: split on `~`, decode the issuer JWT and each disclosure,
 * compute each disclosure's digest (base64url SHA-256 of its encoded form, as SD-JWT says), and
 * rebuild the claims from the digests the signed payload references. Written by hand rather than
 * through @sd-jwt/decode because a verifier has to say *which* rule a presentation broke
 * (src/credentials/verify.ts), and the library only says "invalid".
 */
import { b64uJson, sha256B64u } from "./encoding.js";

export const SD_SEPARATOR = "~";
/** The media type of an SD-JWT VC (the issuer JWT's `typ`). */
export const SD_JWT_VC_TYP = "dc+sd-jwt";

export interface ParsedDisclosure {
  encoded: string;
  digest: string;
  salt: string;
  /** Claim name for an object property; undefined for an array element. */
  name?: string;
  value: unknown;
}

export interface ParsedSdJwt {
  /** The issuer-signed JWT (compact JWS). */
  jwt: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  disclosures: ParsedDisclosure[];
  /** The key-binding JWT, when the last segment is not empty. */
  kbJwt?: string;
  /** Everything the KB-JWT's sd_hash covers: `<jwt>~<d1>~…~<dn>~`. */
  boundPart: string;
}

export class MalformedSdJwt extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedSdJwt";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export async function parseDisclosure(encoded: string): Promise<ParsedDisclosure> {
  let arr: unknown;
  try {
    arr = b64uJson(encoded);
  } catch {
    throw new MalformedSdJwt("a disclosure is not base64url-encoded JSON");
  }
  if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3) || typeof arr[0] !== "string") throw new MalformedSdJwt("a disclosure is not [salt, name, value] or [salt, value]");
  if (arr.length === 3 && (typeof arr[1] !== "string" || arr[1] === "_sd" || arr[1] === "...")) throw new MalformedSdJwt("a disclosure has an invalid claim name");
  const digest = await sha256B64u(encoded);
  return arr.length === 3 ? { encoded, digest, salt: arr[0], name: arr[1] as string, value: arr[2] } : { encoded, digest, salt: arr[0], value: arr[1] };
}

/** Splits and decodes an SD-JWT or SD-JWT+KB. Throws MalformedSdJwt on anything that is not one. */
export async function parseSdJwt(compact: string): Promise<ParsedSdJwt> {
  if (typeof compact !== "string" || !compact.includes(SD_SEPARATOR)) throw new MalformedSdJwt("not an SD-JWT (no ~ separator)");
  const parts = compact.split(SD_SEPARATOR);
  const jwt = parts[0]!;
  const last = parts[parts.length - 1]!;
  const encodedDisclosures = parts.slice(1, -1);
  const segments = jwt.split(".");
  if (segments.length !== 3) throw new MalformedSdJwt("the issuer-signed JWT is not a compact JWS");
  let header: unknown;
  let payload: unknown;
  try {
    header = b64uJson(segments[0]!);
    payload = b64uJson(segments[1]!);
  } catch {
    throw new MalformedSdJwt("the issuer-signed JWT does not decode");
  }
  if (!isObject(header) || !isObject(payload)) throw new MalformedSdJwt("the issuer-signed JWT does not hold JSON objects");
  if (encodedDisclosures.some((d) => d === "")) throw new MalformedSdJwt("an empty disclosure");
  if (last !== "" && last.split(".").length !== 3) throw new MalformedSdJwt("the key-binding JWT is not a compact JWS");
  const disclosures = await Promise.all(encodedDisclosures.map(parseDisclosure));
  const boundPart = [jwt, ...encodedDisclosures].join(SD_SEPARATOR) + SD_SEPARATOR;
  return { jwt, header, payload, disclosures, kbJwt: last || undefined, boundPart };
}

export interface Unpacked {
  claims: Record<string, unknown>;
  /** Digests of disclosures the payload referenced. */
  used: Set<string>;
  /** Problems found while unpacking (a digest referenced twice, a name overriding a plain claim, a disclosure of the wrong kind). */
  problems: { kind: "duplicate_digest" | "overrides_claim" | "wrong_kind"; digest: string }[];
}

/** Rebuilds the claims the payload plus these disclosures say (undisclosed digests are left out). */
export function unpack(payload: Record<string, unknown>, disclosures: ParsedDisclosure[]): Unpacked {
  const byDigest = new Map(disclosures.map((d) => [d.digest, d]));
  const used = new Set<string>();
  const seen = new Set<string>();
  const problems: Unpacked["problems"] = [];

  const take = (digest: unknown): ParsedDisclosure | undefined => {
    if (typeof digest !== "string") return undefined;
    if (seen.has(digest)) {
      problems.push({ kind: "duplicate_digest", digest });
      return undefined;
    }
    seen.add(digest);
    const d = byDigest.get(digest);
    if (d) used.add(digest);
    return d;
  };

  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const el of value) {
        if (isObject(el) && Object.keys(el).length === 1 && "..." in el) {
          const d = take(el["..."]);
          if (!d) continue;
          if (d.name !== undefined) problems.push({ kind: "wrong_kind", digest: d.digest });
          else out.push(walk(d.value));
        } else out.push(walk(el));
      }
      return out;
    }
    if (isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (k !== "_sd" && k !== "_sd_alg") out[k] = walk(v);
      for (const digest of Array.isArray(value._sd) ? value._sd : []) {
        const d = take(digest);
        if (!d) continue;
        if (d.name === undefined) problems.push({ kind: "wrong_kind", digest: d.digest });
        else if (d.name in out) problems.push({ kind: "overrides_claim", digest: d.digest });
        else out[d.name] = walk(d.value);
      }
      return out;
    }
    return value;
  };
  return { claims: walk(payload) as Record<string, unknown>, used, problems };
}

/** Claims of an SD-JWT VC that are the envelope, not statements about the holder. */
export const REGISTERED_CLAIMS = new Set(["iss", "sub", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "verification", "_sd", "_sd_alg", "jti"]);

/** The holder's claims only (what was disclosed), without the envelope. */
export function subjectClaims(all: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !REGISTERED_CLAIMS.has(k)));
}
