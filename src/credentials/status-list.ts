/**
 * Token Status List (draft-ietf-oauth-status-list) for revoking attestations: one bit per
 * credential (0 valid, 1 revoked), compressed with @sd-jwt/jwt-status-list, in a JWT
 * (`typ` statuslist+jwt) signed by the verifier. `sub` is the list's URI, which each credential's
 * `status.status_list.uri` names, so a token served for another list is refused.
 */
import { compactVerify, type JWK } from "jose";
import { StatusList } from "@sd-jwt/jwt-status-list";
import { CredentialError } from "./errors.js";
import { b64uEncode, b64uJson, toSeconds, utf8 } from "./encoding.js";
import { importVerifyKey, SIGNING_ALG } from "./keys.js";
import { es256Signer, signingCryptoKey, type SigningKeyInput } from "./sign.js";

export const STATUS_LIST_TYP = "statuslist+jwt";
export const STATUS_VALID = 0;
export const STATUS_REVOKED = 1;

export interface StatusListAccessor {
  iss?: string;
  /** The list's URI (`sub`). */
  uri: string;
  iat?: number;
  exp?: number;
  ttl?: number;
  kid?: string;
  size: number;
  bits: number;
  /** The status at `idx` (0 valid, 1 revoked); throws when idx is outside the list. */
  get(idx: number): number;
  isRevoked(idx: number): boolean;
}

async function signToken(header: Record<string, unknown>, payload: Record<string, unknown>, signingKey: SigningKeyInput): Promise<string> {
  const input = `${b64uEncode(utf8(JSON.stringify(header)))}.${b64uEncode(utf8(JSON.stringify(payload)))}`;
  return `${input}.${await es256Signer(await signingCryptoKey(signingKey))(input)}`;
}

function statusListToken(list: StatusList, o: { issuer?: string; uri: string; kid: string; ttl?: number; iat?: number | Date }, signingKey: SigningKeyInput): Promise<string> {
  const header = { alg: SIGNING_ALG, typ: STATUS_LIST_TYP, kid: o.kid };
  const payload: Record<string, unknown> = {
    ...(o.issuer ? { iss: o.issuer } : {}),
    sub: o.uri,
    iat: toSeconds(o.iat),
    ...(o.ttl ? { ttl: o.ttl } : {}),
    status_list: { bits: list.getBitsPerStatus(), lst: list.compressStatusList() },
  };
  return signToken(header, payload, signingKey);
}

/** A new list of `size` entries, all valid. */
export async function newStatusListToken(o: { issuer?: string; uri: string; size: number; signingKey: SigningKeyInput; kid: string; ttl?: number; iat?: number | Date }): Promise<string> {
  if (!Number.isInteger(o.size) || o.size < 1 || o.size > 1 << 20) throw new CredentialError("a status list holds between 1 and 1,048,576 entries");
  if (!o.uri || !o.kid) throw new CredentialError("a status list needs its uri and the signing key's kid");
  return statusListToken(new StatusList(new Array(o.size).fill(STATUS_VALID), 1), o, o.signingKey);
}

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; list: StatusList } {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) throw new CredentialError("the status list token is not a compact JWS");
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = b64uJson(parts[0]!);
    payload = b64uJson(parts[1]!);
  } catch (cause) {
    throw new CredentialError("the status list token does not decode", { cause });
  }
  if (header?.typ !== STATUS_LIST_TYP) throw new CredentialError(`the status list token's typ is not ${STATUS_LIST_TYP}`);
  const sl = payload?.status_list as { bits?: unknown; lst?: unknown } | undefined;
  if (!sl || ![1, 2, 4, 8].includes(sl.bits as number) || typeof sl.lst !== "string" || typeof payload.sub !== "string") throw new CredentialError("the status list token has no valid status_list");
  let list: StatusList;
  try {
    list = StatusList.decompressStatusList(sl.lst, sl.bits as 1);
  } catch (cause) {
    throw new CredentialError("the status list does not decompress", { cause });
  }
  return { header, payload, list };
}

function accessor(header: Record<string, unknown>, payload: Record<string, unknown>, list: StatusList): StatusListAccessor {
  const size = list.statusList.length;
  const get = (idx: number) => {
    if (!Number.isInteger(idx) || idx < 0 || idx >= size) throw new CredentialError(`index ${idx} is outside the status list (size ${size})`);
    return list.getStatus(idx);
  };
  return {
    iss: typeof payload.iss === "string" ? payload.iss : undefined,
    uri: payload.sub as string,
    iat: typeof payload.iat === "number" ? payload.iat : undefined,
    exp: typeof payload.exp === "number" ? payload.exp : undefined,
    ttl: typeof payload.ttl === "number" ? payload.ttl : undefined,
    kid: typeof header.kid === "string" ? header.kid : undefined,
    size,
    bits: list.getBitsPerStatus(),
    get,
    isRevoked: (idx) => get(idx) !== STATUS_VALID,
  };
}

/** Reads a status list token without checking its signature (see verifyStatusListToken). */
export function readStatusListToken(token: string): StatusListAccessor {
  const { header, payload, list } = decode(token);
  return accessor(header, payload, list);
}

/** Checks the token's ES256 signature against `jwk`, then reads it. */
export async function verifyStatusListToken(token: string, jwk: JWK): Promise<StatusListAccessor> {
  try {
    await compactVerify(token, await importVerifyKey(jwk), { algorithms: [SIGNING_ALG] });
  } catch (cause) {
    throw new CredentialError("the status list token's signature does not verify with this key", { cause });
  }
  return readStatusListToken(token);
}

/** The same list with entry `idx` set to revoked, re-signed (new iat). */
export async function revokeInStatusListToken(token: string, idx: number, signingKey: SigningKeyInput, kid: string): Promise<string> {
  const { payload, list } = decode(token);
  const size = list.statusList.length;
  if (!Number.isInteger(idx) || idx < 0 || idx >= size) throw new CredentialError(`index ${idx} is outside the status list (size ${size})`);
  list.setStatus(idx, STATUS_REVOKED);
  const fresh = new StatusList(list.statusList, list.getBitsPerStatus() as 1);
  return statusListToken(fresh, { issuer: payload.iss as string | undefined, uri: payload.sub as string, kid, ttl: payload.ttl as number | undefined }, signingKey);
}
