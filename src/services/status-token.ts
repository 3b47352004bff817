// Token Status List JWTs as verifiers upload them: the server never signs one (it has no verifier
// key), it checks them. Signature against the verifier's published signing key (jose), `typ`,
// `sub` (the list's own URI), and the bits, read with @sd-jwt/jwt-status-list.
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { StatusList, type StatusListJWTPayload } from "@sd-jwt/jwt-status-list";
import { ValidationError } from "../errors.js";

export interface CheckedStatusList {
  sub: string;
  list: StatusList;
  size: number;
}

/** Verifies a status list token; any failure is a 400 naming `token`. */
export async function checkStatusListToken(token: string, signingJwk: JWK, expectedSub?: string): Promise<CheckedStatusList> {
  const bad = (why: string) => new ValidationError(`the status list token ${why}`, { token: why });
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw bad("is not a JWT");
  }
  if (header.typ !== "statuslist+jwt") throw bad("must have typ statuslist+jwt");
  if (signingJwk.kid && header.kid !== signingJwk.kid) throw bad("is not signed with the verifier's key (kid)");
  let payload: StatusListJWTPayload;
  try {
    const key = await importJWK(signingJwk, "ES256");
    payload = (await jwtVerify(token, key, { algorithms: ["ES256"], typ: "statuslist+jwt" })).payload as StatusListJWTPayload;
  } catch {
    throw bad("is not signed with the verifier's key");
  }
  if (typeof payload.sub !== "string") throw bad("has no sub");
  if (expectedSub && payload.sub !== expectedSub) throw bad(`must have sub ${expectedSub}`);
  const sl = payload.status_list;
  if (!sl || typeof sl.lst !== "string" || ![1, 2, 4, 8].includes(sl.bits)) throw bad("has no readable status_list");
  let list: StatusList;
  try {
    list = StatusList.decompressStatusList(sl.lst, sl.bits);
  } catch {
    throw bad("has an unreadable status_list");
  }
  return { sub: payload.sub, list, size: list.statusList.length };
}

/** Indices whose status is not 0 (valid), up to `size`. */
export function setIndices(list: StatusList, size: number): Set<number> {
  const out = new Set<number>();
  const all = list.statusList;
  for (let i = 0; i < Math.min(size, all.length); i++) if (all[i] !== 0) out.add(i);
  return out;
}
